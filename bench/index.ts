import { benchChatTurn } from "./chat-turn";
import { benchDevStart } from "./dev-start";

const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

const turn = await benchChatTurn();
console.log(`\nChat turn ("Who am I?": tool call + answer, ${turn.turns} turns, medians)`);
console.log(`  bare streamText, same sandbox model and tool   ${fmt(turn.baselineMedianMs)}  (p95 ${fmt(turn.baselineP95Ms)})`);
console.log(`  POST /api/chat on next start                    ${fmt(turn.chatTurnMedianMs)}  (p95 ${fmt(turn.chatTurnP95Ms)})`);
console.log(`  server overhead                                 ${fmt(turn.overheadMs)}`);
console.log(`  ratio                                           ${turn.ratio.toFixed(3)}×  (target ≤ 1.25×) ${turn.ratio <= 1.25 ? "✓" : "✗"}`);

const dev = await benchDevStart();
console.log(`\nnpm run dev → first page served`);
console.log(`  ${(dev.firstPageMs / 1000).toFixed(1)} s  (target < 30 s) ${dev.firstPageMs < 30_000 ? "✓" : "✗"}`);
process.exit(0);
