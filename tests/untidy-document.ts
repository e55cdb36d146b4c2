/**
 * A long, untidy Markdown document for the ingestion test and `npm run bench:ingest`, built as large as asked: numbered
 * sections with headings, prose, tables of decimals, lists, URLs, email addresses, parentheses and non-ASCII names,
 * drawn by a seeded generator so that no paragraph repeats. Near its end (at `needleAt` of its size) lies one passage,
 * `needle`, about something nothing else in it mentions, which `question` asks about in plain language.
 */
export interface UntidyDocument {
  text: string;
  needle: string;
  question: string;
}

const NEEDLE =
  "Ingrid Sørensen, the lighthouse keeper on Ærø (ingrid.sorensen+fyr@ærø-fyr.example.dk), painted the lamp room cobalt blue in March 2019; the invoice came to 3,412.50 DKK.";
const QUESTION = "What colour did the lighthouse keeper paint the lamp room?";

const PEOPLE = [
  "Zoë Çelik", "Bjørn Ødegård", "Márton Szőke", "Aoife Ní Bhriain", "José-María Peña", "Łucja Wróblewska", "Nguyễn Thị Hoa",
  "Søren Kierkegaard-Holm", "Chidi Okonkwo", "Élodie Lefèvre", "Jürgen Müller", "Priya Raghunathan", "Dr. Amara Diallo",
  "Mr. Tomás O'Connor", "李娜", "Ōtani Haruki", "Fatma Yılmaz", "Ana Lúcia Gonçalves", "Kalani Akana", "Ewa Dąbrowska",
];
const PLACES = [
  "São Paulo", "Zürich", "Kraków", "Reykjavík", "Montréal", "Ålesund", "Düsseldorf", "Malmö", "Cluj-Napoca", "Oaxaca",
  "Tromsø", "Nîmes", "Ljubljana", "Kōbe", "Île-de-France", "Tartu", "Brașov", "Bogotá", "Gdańsk", "Čakovec",
];
const NOUNS = [
  "budget", "forecast", "contract", "shipment", "audit", "roadmap", "warehouse", "payroll", "license", "invoice batch",
  "supplier list", "quarterly review", "pension fund", "tender", "migration plan", "help-desk queue", "fleet", "grant",
  "onboarding checklist", "data-retention policy", "server cluster", "marketing campaign", "tax filing", "price list",
];
const VERBS = [
  "approved", "postponed", "revised", "audited", "cancelled", "signed off", "renegotiated", "escalated", "archived",
  "doubled", "trimmed", "re-estimated", "flagged", "forwarded", "queried", "consolidated", "split", "benchmarked",
];
const ADJECTIVES = [
  "provisional", "overdue", "confidential", "draft", "final", "amended", "unaudited", "preliminary", "binding", "informal",
  "cross-border", "year-end", "mid-term", "urgent", "routine", "disputed",
];
const CURRENCIES = ["EUR", "USD", "CHF", "NOK", "PLN", "JPY", "BRL", "€", "£", "kr"];
const DOMAINS = ["example.com", "example.org", "beispiel.example.de", "exemple.example.fr", "münchen.example"];
const SECTIONS = ["Finance", "Operations", "Legal", "Procurement", "People & Culture", "IT (infrastructure)", "Sales", "Facilities"];

/** Uniform in [0, 1): mulberry32. */
function generator(seed: number) {
  let state = seed;
  const random = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const integer = (below: number) => Math.floor(random() * below);
  const pick = <T>(list: readonly T[]) => list[integer(list.length)]!;
  // As en-US writes them ("12,345.67"); toLocaleString itself is too slow for megabytes of them.
  const decimal = (max: number, digits = 2) => {
    const [whole, fraction] = (random() * max).toFixed(digits).split(".");
    return `${whole!.replace(/\B(?=(\d{3})+$)/g, ",")}.${fraction}`;
  };
  const date = () => `${2015 + integer(11)}-${String(1 + integer(12)).padStart(2, "0")}-${String(1 + integer(28)).padStart(2, "0")}`;
  const email = (person: string) =>
    `${person.replace(/^(Dr|Mr)\. /, "").toLowerCase().replace(/[^\p{L}]+/gu, ".")}${random() < 0.3 ? `+${integer(100)}` : ""}@${pick(DOMAINS)}`;
  const url = () => `https://intranet.${pick(DOMAINS)}/${pick(SECTIONS).toLowerCase().replace(/[^a-z]+/g, "-")}/${date()}?id=${integer(100_000)}&v=${decimal(9, 1)}`;

  const sentence = () => {
    const person = pick(PEOPLE);
    switch (integer(6)) {
      case 0:
        return `${person} (${email(person)}) ${pick(VERBS)} the ${pick(ADJECTIVES)} ${pick(NOUNS)} for ${pick(PLACES)} at ${decimal(90_000)} ${pick(CURRENCIES)}.`;
      case 1:
        return `See ${url()} for the ${pick(ADJECTIVES)} ${pick(NOUNS)} (revised ${date()}, version ${integer(20)}.${integer(10)}).`;
      case 2:
        return `In ${pick(PLACES)}, the ${pick(NOUNS)} grew by ${decimal(40, 1)}% — from ${decimal(5_000)} to ${decimal(9_000)} units — after ${person} ${pick(VERBS)} it.`;
      case 3:
        return `Questions about the ${pick(NOUNS)} go to ${person} at ${email(person)}, not to the ${pick(SECTIONS)} team (ticket #${integer(99_999)}).`;
      case 4:
        return `The ${pick(ADJECTIVES)} figure of ${decimal(1_000, 3)} (±${decimal(5, 2)}) was ${pick(VERBS)} on ${date()} in ${pick(PLACES)}; nobody objected.`;
      default:
        return `${person} asked whether the ${pick(NOUNS)} and the ${pick(NOUNS)} could be ${pick(VERBS)} together before ${date()}.`;
    }
  };
  const paragraph = () => Array.from({ length: 2 + integer(5) }, sentence).join(" ");
  const table = () => {
    const rows = Array.from({ length: 3 + integer(8) }, () => {
      const person = pick(PEOPLE);
      return `| ${pick(NOUNS)} (${pick(PLACES)}) | ${integer(500)} | ${decimal(10_000)} | ${decimal(100, 1)}% | ${person} <${email(person)}> |`;
    });
    return [`| Item | Qty | Unit price (${pick(CURRENCIES)}) | Share | Owner |`, "|---|---:|---:|---:|---|", ...rows].join("\n");
  };
  const list = () => Array.from({ length: 2 + integer(4) }, () => `- ${sentence()}`).join("\n");
  const section = (n: number) => {
    const blocks = [`## ${n}. ${pick(SECTIONS)}: ${pick(ADJECTIVES)} ${pick(NOUNS)} (${pick(PLACES)}, ${2015 + integer(11)})`];
    for (let b = 0, count = 3 + integer(5); b < count; b++) {
      const kind = random();
      blocks.push(kind < 0.6 ? paragraph() : kind < 0.8 ? table() : list());
    }
    return `${blocks.join("\n\n")}\n\n`;
  };
  return { section };
}

/** A document of at most `bytes` bytes of UTF-8 (within a section of it), the same for the same seed. */
export function untidyDocument({ bytes, seed = 13, needleAt = 0.97 }: { bytes: number; seed?: number; needleAt?: number }): UntidyDocument {
  const { section } = generator(seed);
  const parts = [`# Delegate test archive ${seed} (generated, ${bytes.toLocaleString("en-US")} bytes)\n\n`];
  let size = Buffer.byteLength(parts[0]!);
  const needle = `## Facilities: the lighthouse on Ærø\n\n${NEEDLE}\n\n`;
  let placed = false;
  for (let n = 1; ; n++) {
    if (!placed && size >= bytes * needleAt) {
      parts.push(needle);
      size += Buffer.byteLength(needle);
      placed = true;
    }
    const next = section(n);
    const nextSize = Buffer.byteLength(next);
    if (size + nextSize > bytes) break;
    parts.push(next);
    size += nextSize;
  }
  if (!placed || size > bytes) throw new RangeError(`untidyDocument cannot place its passage within ${bytes} bytes`);
  return { text: parts.join(""), needle: NEEDLE, question: QUESTION };
}
