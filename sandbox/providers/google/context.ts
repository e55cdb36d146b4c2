import type { ProviderTokenVerifier } from "../../identity/provider-tokens";
import type { SeedClock } from "../seed-clock";
import type { Mailbox } from "./gmail/mailbox";

/** What the Google routes share: the token check for google-oauth2, the clock, and the mail store. */
export interface GoogleContext {
  verify: ProviderTokenVerifier;
  /** A fresh clock per request, so "today" follows the server's clock. */
  clock: () => SeedClock;
  mailbox: Mailbox;
}
