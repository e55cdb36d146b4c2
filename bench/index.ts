import { ensureProductionBuild } from "./build";
import { benchChatTurn, type Figures } from "./chat-turn";
import { benchDevStart } from "./dev-start";

/** Issue 13: a chat turn through the app costs at most this much more than the bare AI SDK call. */
const TARGET_RATIO = 1.2;

const fmt = (ms: number) => `${ms.toFixed(1)} ms`.padStart(10);
const row = (label: string, { medianMs, p95Ms }: Figures) => `  ${label.padEnd(48)}${fmt(medianMs)}  (p95 ${fmt(p95Ms).trim()})`;
const verdict = (ratio: number) => `  ratio${" ".repeat(43)}${`${ratio.toFixed(3)}×`.padStart(10)}  (target ≤ ${TARGET_RATIO}×) ${ratio <= TARGET_RATIO ? "✓" : "✗"}`;

await ensureProductionBuild();
const { turns, firstText, turn } = await benchChatTurn();
console.log(`\nChat turn ("Who am I?": a tool call, then the answer; ${turns} turns each, interleaved; medians)`);
console.log(`Time to first token (first text delta received)`);
console.log(row("bare streamText, same sandbox model and tool", firstText.baseline));
console.log(row("POST /api/chat on next start", firstText.chat));
console.log(verdict(firstText.ratio));
console.log(`Whole turn (until the reply's stream closes)`);
console.log(row("bare streamText, same sandbox model and tool", turn.baseline));
console.log(row("POST /api/chat on next start", turn.chat));
console.log(`  server overhead${" ".repeat(33)}${fmt(turn.chat.medianMs - turn.baseline.medianMs)}`);
console.log(verdict(turn.ratio));

const dev = await benchDevStart();
console.log(`\nnpm run dev → first page served`);
console.log(`  ${(dev.firstPageMs / 1000).toFixed(1)} s  (target < 30 s) ${dev.firstPageMs < 30_000 ? "✓" : "✗"}`);
process.exit(0);
