import { createServer } from "node:http";
import express from "express";
import { createProviderTokenVerifier } from "../identity/provider-tokens";
import { faultRoutes } from "../faults";
import { listen, urlHost, requestLog } from "../http";
import { githubRouter } from "./github/router";
import { googleRouter } from "./google/router";
import { Mailbox } from "./google/gmail/mailbox";
import { seedClock } from "./seed-clock";
import { slackRouter } from "./slack/router";

export interface ProviderApisOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  /** The identity server whose provider tokens are accepted, e.g. "http://localhost:4000/". */
  issuer: string;
  /** The clock that places the seed data ("today", "yesterday"); token expiry always uses real time. */
  now?: () => Date;
  /** The IANA zone the users live in, which defines their "today"; by default the machine's. */
  timeZone?: string;
  log?: (line: string) => void;
}

export interface ProviderApis {
  /** Base URLs that stand in for https://www.googleapis.com, https://api.github.com and https://slack.com/api. */
  baseUrls: { google: string; github: string; slack: string };
  close(): Promise<void>;
}



/**
 * Sandbox stand-ins for the Google Calendar, Gmail, GitHub and Slack APIs on one port, each under its
 * own prefix followed by the real API's paths. They accept only provider tokens from the identity
 * server's Token Vault, for the connection each API belongs to, and serve seeded, per-user data.
 */
export async function startProviderApis(options: ProviderApisOptions): Promise<ProviderApis> {
  const {
    host = "127.0.0.1",
    issuer,
    now = () => new Date(),
    timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone,
    log = (line: string) => console.log(line),
  } = options;

  // The base URLs carry the bound port, which a port-0 listen only knows afterwards.
  const server = createServer();
  const port = await listen(server, options.port, host);
  const origin = `http://${urlHost(host)}:${port}`;
  const baseUrls = { google: `${origin}/google`, github: `${origin}/github`, slack: `${origin}/slack` };
  const clock = () => seedClock(now(), timeZone);
  const verifier = (connection: string) => createProviderTokenVerifier({ issuer, connection });

  const app = express();
  app.disable("x-powered-by");
  app.use(requestLog("[sandbox:providers]", log));
  app.use(faultRoutes());
  app.use("/google", googleRouter({ verify: verifier("google-oauth2"), clock, mailbox: new Mailbox() }));
  app.use("/github", githubRouter({ verify: verifier("github"), clock, apiBase: baseUrls.github }));
  app.use("/slack", slackRouter(verifier("sign-in-with-slack")));
  server.on("request", app);
  log(`[sandbox:providers] Google, GitHub and Slack APIs on ${origin} (tokens from ${issuer}, time zone ${timeZone})`);

  return {
    baseUrls,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
