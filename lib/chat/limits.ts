export const MAX_MESSAGE_LENGTH = 8_000;
export const MAX_TITLE_LENGTH = 80;
