import type { MissingParam } from "./arguments";
import { findNumbers } from "./extract";
import type { ChatTool } from "./wire";

const INTRO = "I'm Delegate's sandbox model — set OPENAI_API_KEY for a real LLM.";
const MAX_COUNT = 1000;

// Long enough (~330 words) that streaming it word by word leaves time to press Stop.
const STORY = [
  "Once upon a time, in a workshop full of humming servers, there lived a small assistant called Delegate. It had no opinions of its own and no keys to any doors. Every morning it waited patiently for someone to ask it for help, and every evening it wrote down exactly what it had been allowed to do, and nothing more.",
  "One day a busy engineer asked Delegate to look through her inbox, find the invoice from Acme, and put a reminder on her calendar. Delegate did not simply charge ahead. It asked for permission to read her mail, showed her which message it had found, and waited for her nod before touching the calendar. The engineer smiled: for once, a machine was asking before acting.",
  "Word spread through the workshop. Other people began to trust Delegate with small errands: listing the repositories that needed attention, summarising a noisy Slack channel, checking who was on call over the weekend. Each time, Delegate explained which tool it wanted to use and why, and each time it stepped back the moment a request went beyond what it had been granted.",
  "Of course, Delegate was only a sandbox model, built from rules rather than real understanding. It could not reason about the world; it could only match words to tools and tell the story it had been given. But it streamed its words one at a time, slowly enough that anyone could press Stop halfway through — which, if you are reading this, you may be about to do.",
  "And so the workshop learned an important lesson: a good assistant is not the one that can do everything, but the one that does exactly what it is trusted to do, says so clearly, and hands the decision back to the person it works for. The end.",
];

function firstSentence(text: string | undefined): string {
  return (text ?? "").split(/(?<=[.!?])\s/)[0]!.trim();
}

function capabilities(tools: ChatTool[]): string {
  if (tools.length === 0) return "No tools are available in this conversation, so I can only answer with canned text.";
  const lines = tools.slice(0, 6).map((t) => {
    const about = firstSentence(t.function.description);
    return `- \`${t.function.name}\`${about ? ` — ${about}` : ""}`;
  });
  return ["I pick a tool when your message matches its name or description. I can use:", "", ...lines].join("\n");
}

function countTo(text: string): string | undefined {
  const match = /\bcount (?:up )?to\b/i.exec(text);
  if (!match) return undefined;
  const target = findNumbers(text.slice(match.index))[0]?.value ?? 100;
  const n = Math.max(1, Math.min(MAX_COUNT, Math.floor(target)));
  const rows: string[] = [];
  for (let start = 1; start <= n; start += 10) {
    rows.push(Array.from({ length: Math.min(10, n - start + 1) }, (_, i) => start + i).join(", "));
  }
  return `${INTRO} Counting to ${n}:\n\n${rows.join("\n")}`;
}

function longAnswer(text: string): string | undefined {
  if (!/\b(long|story|essay|poem|article|novel|paragraphs)\b/i.test(text)) return undefined;
  const topic = /\babout ([^.?!]+)/i.exec(text)?.[1]?.trim();
  const title = topic ? `A story about ${topic}` : "A long story";
  return [`${INTRO} Here is a canned long answer, so streaming and Stop can be tried out.`, `**${title}**`, ...STORY].join("\n\n");
}

/** What this model writes itself rather than look up ("Count to 50", "Tell me a long story"), if the request is that. */
export function composedReply(userText: string): string | undefined {
  return countTo(userText) ?? longAnswer(userText);
}

/** The answer when no tool fits: says what this model is, and what it could have done. */
export function sandboxReply(userText: string, tools: ChatTool[]): string {
  const composed = composedReply(userText);
  if (composed) return composed;
  if (/^\s*(hi|hello|hey|howdy|good (morning|afternoon|evening))\b/i.test(userText)) {
    return `Hello! ${INTRO}\n\n${capabilities(tools)}`;
  }
  const asked = userText.trim() ? " None of the tools here fits that request, and I can't answer free-form questions offline." : "";
  return `${INTRO}${asked}\n\n${capabilities(tools)}`;
}

const askingFor = (toolName: string) => `I can do that with \`${toolName}\`, but I need a bit more information first:`;

/** Asks for the required arguments the message did not contain instead of inventing them. */
export function missingArgumentsReply(toolName: string, missing: MissingParam[]): string {
  const lines = missing.map((m) => `- **${m.name}**${m.description ? ` — ${m.description}` : ""}`);
  return [askingFor(toolName), "", ...lines, "", "Could you tell me?"].join("\n");
}

/** The tool a previous `missingArgumentsReply` was about, so the user's next message can complete it. */
export function toolAwaitingArguments(assistantText: string): string | undefined {
  const toolName = /^I can do that with `([^`]+)`/.exec(assistantText)?.[1];
  return toolName && assistantText.startsWith(askingFor(toolName)) ? toolName : undefined;
}
