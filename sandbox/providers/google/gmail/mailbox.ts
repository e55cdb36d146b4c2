import { sandboxUsers } from "../../../identity/users";
import { recentPast, type SeedClock } from "../../seed-clock";
import { stableHex } from "../../stable-ids";
import { formatRfc2822 } from "../../time";
import { buildRawMessage } from "./mime";
import { mailSeed, type SeedMail } from "./seed";

/** A message as Gmail keeps it: the raw RFC 2822 bytes plus Gmail's own metadata. */
export interface StoredMessage {
  id: string;
  threadId: string;
  labelIds: string[];
  /** Milliseconds since the epoch; Gmail sorts and filters by this rather than by the Date header. */
  internalDate: number;
  raw: Buffer;
}

export interface StoredDraft {
  id: string;
  message: StoredMessage;
}

const escapeHtml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** The HTML alternative a mail client would send: one paragraph per blank-line-separated block. */
const htmlVersion = (text: string) =>
  `<div>${text
    .split("\n\n")
    .map((paragraph) => `<p>${escapeHtml(paragraph).replace(/\n/g, "<br>")}</p>`)
    .join("")}</div>`;

function fromSeed(seed: SeedMail, clock: SeedClock): StoredMessage {
  const id = stableHex(16, "gmail", seed.owner, seed.key);
  const received = recentPast(clock, seed.received.daysBefore, seed.received.at);
  const owner = sandboxUsers.find((user) => user.email === seed.owner);
  const senderDomain = /@([^>]+)>?$/.exec(seed.from)?.[1] ?? "example.com";
  const text = seed.text(clock);
  const raw = buildRawMessage({
    headers: [
      ["Delivered-To", seed.owner],
      ["Date", formatRfc2822(received, clock.timeZone)],
      ["From", seed.from],
      ["To", owner ? `${owner.name} <${seed.owner}>` : seed.owner],
      ["Message-ID", `<${stableHex(24, "message-id", seed.key)}@${senderDomain}>`],
      ["Subject", seed.subject],
    ],
    text,
    ...(seed.html ? { html: htmlVersion(text) } : {}),
    boundary: `000000000000${stableHex(12, "boundary", seed.key)}`,
  });
  return { id, threadId: id, labelIds: seed.labels, internalDate: received.getTime(), raw };
}

/**
 * Everyone's mail: the seeded messages, dated afresh for each request's clock, plus the drafts
 * created while this server runs. Drafts live in memory only; a restart starts from the seed again.
 */
export class Mailbox {
  readonly #drafts = new Map<string, StoredDraft[]>();
  #draftsCreated = 0;

  /** The mailbox of `owner` (an email address), newest first. */
  messages(owner: string, clock: SeedClock): StoredMessage[] {
    const seeded = mailSeed.filter((seed) => seed.owner === owner).map((seed) => fromSeed(seed, clock));
    const drafts = this.drafts(owner).map((draft) => draft.message);
    return [...seeded, ...drafts].sort((a, b) => b.internalDate - a.internalDate);
  }

  /** Drafts of `owner`, newest first. */
  drafts(owner: string): StoredDraft[] {
    return [...(this.#drafts.get(owner) ?? [])].reverse();
  }

  addDraft(owner: string, raw: Buffer, threadId: string | undefined, at: Date): StoredDraft {
    const serial = ++this.#draftsCreated;
    const id = stableHex(16, "draft-message", owner, serial, at.getTime());
    const message: StoredMessage = { id, threadId: threadId ?? id, labelIds: ["DRAFT"], internalDate: at.getTime(), raw };
    // Gmail draft ids are "r" and a decimal number.
    const draft = { id: `r${BigInt(`0x${stableHex(15, "draft", owner, serial)}`)}`, message };
    this.#drafts.set(owner, [...(this.#drafts.get(owner) ?? []), draft]);
    return draft;
  }
}
