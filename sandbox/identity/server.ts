import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import express, { type RequestHandler } from "express";
import { Provider } from "oidc-provider";
import { openFileAdapter } from "./adapter";
import { interactionRoutes } from "./interactions";
import { loadOrCreateCookieKeys, loadOrCreateSigningKeys } from "./keys";
import { providerConfiguration } from "./provider-config";

export interface IdentityServerOptions {
  /** 0 picks a free port; the issuer then carries the port actually bound. */
  port: number;
  /** Interface to bind; the issuer always says `localhost`, which nextjs-auth0 requires for http. */
  host?: string;
  /** The app's origin, e.g. http://localhost:3000; its /auth/callback is the registered redirect URI. */
  appBaseUrl: string;
  /** Keys, cookie secrets and provider state live here, so a restart keeps everyone signed in. */
  dataDir: string;
  clientId?: string;
  clientSecret?: string;
  log?: (line: string) => void;
}

export interface IdentityServer {
  /** `http://localhost:<port>/`, with the trailing slash Auth0 issuers have. */
  issuer: string;
  close(): Promise<void>;
}

const PREFIX = "[sandbox:identity]";

// Only method, path and status: query strings and bodies can carry codes, tokens and passwords.
function requestLog(log: (line: string) => void): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    res.on("finish", () => {
      const elapsed = Math.round(performance.now() - started);
      log(`${PREFIX} ${req.method} ${req.path} ${res.statusCode} ${elapsed}ms`);
    });
    next();
  };
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function startIdentityServer(options: IdentityServerOptions): Promise<IdentityServer> {
  const log = options.log ?? ((line: string) => console.log(line));
  const [jwks, cookieKeys, state] = await Promise.all([
    loadOrCreateSigningKeys(options.dataDir),
    loadOrCreateCookieKeys(options.dataDir),
    openFileAdapter(options.dataDir),
  ]);

  // The issuer must name the real port, which is only known once a port-0 listen has bound.
  const server = createServer();
  const port = await listen(server, options.port, options.host ?? "localhost");
  const issuer = `http://localhost:${port}/`;

  const provider = new Provider(
    issuer,
    providerConfiguration({
      appBaseUrl: options.appBaseUrl,
      clientId: options.clientId ?? "delegate-app",
      clientSecret: options.clientSecret ?? "delegate-sandbox-secret",
      jwks,
      cookieKeys,
      adapter: state.adapter,
    }),
  );
  const logServerError = (error: unknown) =>
    log(`${PREFIX} server error: ${error instanceof Error ? error.message : String(error)}`);
  provider.on("server_error", (_ctx, error) => logServerError(error));

  const app = express();
  app.disable("x-powered-by");
  app.use(requestLog(log));
  app.use(interactionRoutes(provider, logServerError));
  app.use(provider.callback());
  server.on("request", app);
  log(`${PREFIX} issuer ${issuer} (data in ${options.dataDir})`);

  return {
    issuer,
    async close() {
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
      await state.flush();
    },
  };
}
