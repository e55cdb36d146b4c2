import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** A Chat Completions request as the app sent it to the model. */
export interface ModelRequest {
  messages: { role: string; content?: unknown; tool_calls?: { id: string }[]; tool_call_id?: string }[];
}

/**
 * Sits between the app and the sandbox model for route tests: records every Chat Completions request, and
 * numbers tool calls per response (call_0, call_1, …) the way some OpenAI-compatible servers do, so the same
 * tool call id turns up in every chat of every user.
 */
export async function startModelProxy(target: string) {
  const requests: ModelRequest[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString();
    if (req.url?.endsWith("/chat/completions")) requests.push(JSON.parse(body) as ModelRequest);
    const upstream = await fetch(new URL(req.url ?? "/", target), {
      method: req.method,
      headers: { "content-type": "application/json", authorization: req.headers.authorization ?? "" },
      body: req.method === "GET" ? undefined : body,
    });
    res.writeHead(upstream.status, { "content-type": upstream.headers.get("content-type") ?? "application/json" });
    res.end((await upstream.text()).split("\n").map(numberToolCalls).join("\n"));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function numberToolCalls(line: string): string {
  if (!line.startsWith("data: {")) return line;
  const chunk = JSON.parse(line.slice(6)) as { choices?: { delta?: { tool_calls?: { index: number; id?: string }[] } }[] };
  for (const choice of chunk.choices ?? [])
    for (const call of choice.delta?.tool_calls ?? []) if (call.id) call.id = `call_${call.index}`;
  return `data: ${JSON.stringify(chunk)}`;
}
