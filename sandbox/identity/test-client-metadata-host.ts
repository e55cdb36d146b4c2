/**
 * A website that publishes Client ID Metadata Documents, for tests: an https server on localhost with a certificate
 * made for the run, whose CA the identity server is told to trust for this host alone (clientMetadataTestHosts).
 */
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { generate } from "selfsigned";
import type { ClientMetadataTestHosts } from "./client-id-metadata";

export interface HostedAnswer {
  /** A value is sent as JSON; a string as it is. */
  body: unknown;
  /** Default application/json. */
  contentType?: string;
  status?: number;
  headers?: Record<string, string>;
  /** Never answer, as a stuck server would. */
  hang?: boolean;
}

export interface ClientMetadataHost {
  /** What the identity server needs to fetch from this host (its `clientMetadataTestHosts`). */
  testHosts: ClientMetadataTestHosts;
  /** A URL on this host: `https://localhost:<port><path>`. */
  url(path: string): string;
  /** Answers GET `path` with the answer `answer(url)` builds, e.g. a document whose client_id is that URL. */
  serve(path: string, answer: (url: string) => HostedAnswer): string;
  /** How many times `path` was fetched. */
  fetches(path: string): number;
  close(): Promise<void>;
}

export async function startClientMetadataHost(): Promise<ClientMetadataHost> {
  const day = 24 * 60 * 60 * 1000;
  const pems = await generate([{ name: "commonName", value: "localhost" }], {
    keyType: "ec",
    algorithm: "sha256",
    notBeforeDate: new Date(Date.now() - day),
    notAfterDate: new Date(Date.now() + day),
  });
  const answers = new Map<string, HostedAnswer>();
  const counts = new Map<string, number>();
  const server = createServer({ key: pems.private, cert: pems.cert }, (req, res) => {
    const path = new URL(req.url ?? "/", "https://localhost").pathname;
    counts.set(path, (counts.get(path) ?? 0) + 1);
    const answer = answers.get(path);
    if (answer?.hang) return;
    if (!answer || req.method !== "GET") {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    const body = typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body);
    res.writeHead(answer.status ?? 200, { "content-type": answer.contentType ?? "application/json", ...answer.headers }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "localhost", resolve));
  const host = `localhost:${(server.address() as AddressInfo).port}`;
  const url = (path: string) => `https://${host}${path}`;

  return {
    testHosts: { hosts: [host], ca: pems.cert },
    url,
    serve(path, answer) {
      answers.set(path, answer(url(path)));
      return url(path);
    },
    fetches: (path) => counts.get(path) ?? 0,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
