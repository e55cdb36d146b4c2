/** The colour theme a person chose; "system" follows the device's `prefers-color-scheme`. */
export const THEMES = ["light", "dark", "system"] as const;
export type Theme = (typeof THEMES)[number];

/** The cookie the root layout reads, so the server sends the page in the chosen theme: no flash, no script. */
export const THEME_COOKIE = "theme";

export function parseTheme(value: string | undefined): Theme {
  return THEMES.find((theme) => theme === value) ?? "system";
}

/** A year: the choice outlives the session, as a device preference should. */
export const THEME_COOKIE_MAX_AGE = 60 * 60 * 24 * 365;
