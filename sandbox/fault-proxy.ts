import net from "node:net";

/**
 * A TCP proxy in front of a stand-in, for fault tests. It makes the service unreachable (connections refused, as
 * when the service is down), stalls it (connections accepted and never answered, as when it is overloaded), and
 * puts it back, all behind the app's back: the app keeps the same URL and is not restarted.
 */
export interface FaultProxy {
  /** The proxy's origin, e.g. "http://127.0.0.1:40123", to give the app instead of the service's. */
  url: string;
  /** Refuses connections and cuts the open ones. */
  down(): Promise<void>;
  /** Accepts connections but forwards nothing; open connections are cut, so none keeps answering. */
  stall(): Promise<void>;
  /** Forwards again. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startFaultProxy(target: string | URL): Promise<FaultProxy> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
  };
  let stalled = false;
  const server = net.createServer((client) => {
    track(client);
    if (stalled) return;
    const upstream = net.connect(Number(port), hostname);
    track(upstream);
    upstream.on("close", () => client.destroy());
    client.on("close", () => upstream.destroy());
    client.pipe(upstream).pipe(client);
  });
  const cutAll = () => {
    for (const socket of sockets) socket.destroy();
  };
  const listen = (on: number) =>
    new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen(on, "127.0.0.1", () => {
        server.off("error", reject);
        resolve((server.address() as net.AddressInfo).port);
      });
    });
  const stopListening = () => new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
  // The same port again when the service comes back, as a restarted service keeps its address.
  const proxyPort = await listen(0);

  return {
    url: `http://127.0.0.1:${proxyPort}`,
    async down() {
      const closed = stopListening();
      cutAll();
      await closed;
    },
    async stall() {
      stalled = true;
      cutAll();
      if (!server.listening) await listen(proxyPort);
    },
    async restore() {
      stalled = false;
      cutAll();
      if (!server.listening) await listen(proxyPort);
    },
    async close() {
      const closed = stopListening();
      cutAll();
      await closed;
    },
  };
}
