/**
 * render.ts: the explain view's HTML page — its title, its content security policy, Rust
 * highlighting, and that nothing in the explanation (which quotes user code) becomes markup
 * or a script link.
 */

import * as assert from "node:assert/strict";
import { describe, it } from "node:test";

import { codeExcerpt, explanationTitle, insertAfterSummary, renderMarkdown, renderPage } from "../../src/render";

const OPTIONS = { cspSource: "vscode-webview://abc123", nonce: "n0nceR4nd0m" };

/** The page's Content-Security-Policy, attribute entities decoded, as directive → sources. */
function csp(page: string): Map<string, string[]> {
  const metas = [...page.matchAll(/<meta http-equiv="Content-Security-Policy" content="([^"]*)">/g)];
  assert.equal(metas.length, 1, "exactly one CSP meta element");
  const content = metas[0][1]
    .replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  const directives = new Map<string, string[]>();
  for (const part of content.split(";")) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) {
      directives.set(name.toLowerCase(), sources);
    }
  }
  return directives;
}

/** The page's <body>, where the explanation goes. */
function body(page: string): string {
  const match = /<body>([\s\S]*)<\/body>/.exec(page);
  assert.ok(match, "the page has a body");
  return match[1];
}

const EXPLANATION = [
  "**Borrowed value does not live long enough**",
  "",
  "`x` is dropped at the end of the block while `r` still borrows it.",
  "",
  "```rust",
  "fn main() {",
  "    let r: &Vec<u8>;",
  "    { let x = Vec::new(); r = &x; }",
  "    println!(\"{}\", r.len());",
  "}",
  "```",
].join("\n");

void describe("explanationTitle", () => {
  void it("is the bold text the explanation starts with", () => {
    assert.equal(explanationTitle(EXPLANATION), "Borrowed value does not live long enough");
  });

  void it("ignores leading blank space and stops at the first closing **", () => {
    assert.equal(explanationTitle("\n  **Future is not Send** because **Rc** is held"), "Future is not Send");
  });

  void it("is 'Explanation' when the text does not start with bold text", () => {
    assert.equal(explanationTitle("The value is **moved** here"), "Explanation");
    assert.equal(explanationTitle(""), "Explanation");
    assert.equal(explanationTitle("****"), "Explanation");
  });
});

void describe("renderPage: content security policy", () => {
  void it("allows no scripts and only nonce'd or webview styles", () => {
    const page = renderPage(EXPLANATION, OPTIONS);
    const policy = csp(page);
    assert.deepEqual(policy.get("default-src"), ["'none'"]);
    for (const directive of ["script-src", "script-src-elem", "script-src-attr", "worker-src", "frame-src"]) {
      assert.ok(!policy.has(directive), `${directive} must not be set (default-src 'none' forbids it)`);
    }
    const styles = policy.get("style-src") ?? [];
    assert.ok(styles.includes(`'nonce-${OPTIONS.nonce}'`), `style-src ${styles.join(" ")}`);
    assert.ok(styles.includes(OPTIONS.cspSource), `style-src ${styles.join(" ")}`);
    assert.ok(!styles.includes("'unsafe-inline'"));
  });

  void it("puts the nonce on its one style element and has no script element", () => {
    const page = renderPage(EXPLANATION, OPTIONS);
    assert.deepEqual([...page.matchAll(/<style([^>]*)>/g)].map((m) => m[1]), [` nonce="${OPTIONS.nonce}"`]);
    assert.ok(!/<script/i.test(page));
  });

  void it("uses the nonce it is given", () => {
    const page = renderPage(EXPLANATION, { ...OPTIONS, nonce: "other" });
    assert.ok(csp(page).get("style-src")?.includes("'nonce-other'"));
    assert.ok(page.includes('<style nonce="other">'));
  });
});

void describe("renderPage: document", () => {
  void it("shows the title in <title> and <h1>, escaped", () => {
    const page = renderPage("**Box<dyn Fn() + 'a> & co**\n\ntext", OPTIONS);
    const escaped = "Box&lt;dyn Fn() + &#39;a&gt; &amp; co";
    assert.ok(page.includes(`<title>${escaped}</title>`), page);
    assert.ok(page.includes(`<h1>${escaped}</h1>`), page);
  });

  void it("shows the location, escaped, under the title", () => {
    const page = renderPage(EXPLANATION, { ...OPTIONS, location: "src/<gen>&\"x\".rs:12:5" });
    assert.ok(page.includes('<p class="where">src/&lt;gen&gt;&amp;&quot;x&quot;.rs:12:5</p>'), page);
    assert.ok(!page.includes("<gen>"));
  });

  void it("has no location line without a location", () => {
    assert.ok(!renderPage(EXPLANATION, OPTIONS).includes('class="where"'));
  });
});

void describe("renderPage: code blocks", () => {
  void it("highlights rust fences as Rust inside hljs pre/code", () => {
    const html = body(renderPage(EXPLANATION, OPTIONS));
    const block = /<pre class="hljs"><code class="hljs language-rust">([\s\S]*?)<\/code><\/pre>/.exec(html);
    assert.ok(block, html);
    assert.match(block[1], /<span class="hljs-keyword">fn<\/span>/);
    assert.match(block[1], /<span class="hljs-keyword">let<\/span>/);
    // Generic brackets in code are text, not tags.
    assert.ok(block[1].includes("&lt;") && block[1].includes("&gt;"), block[1]);
    assert.ok(!block[1].includes("<u8>"));
    // Only one <pre> per block: markdown-it must not wrap the highlighted one again.
    assert.equal([...html.matchAll(/<pre/g)].length, 1);
  });

  void it("treats an unlabelled fence as Rust", () => {
    const html = renderMarkdown("```\nimpl<'a> Trait for &'a str {}\n```\n");
    assert.match(html, /<pre class="hljs"><code class="hljs language-rust">/);
    assert.match(html, /<span class="hljs-keyword">impl<\/span>/);
  });

  void it("highlights the rs alias as Rust", () => {
    const html = renderMarkdown("```rs\nfn f() {}\n```\n");
    assert.match(html, /<code class="hljs language-(rs|rust)">/);
    assert.match(html, /<span class="hljs-keyword">fn<\/span>/);
  });

  void it("shows an unknown language as escaped plain text", () => {
    const html = renderMarkdown("```mermaid\n<script>alert(1)</script>\n```\n");
    assert.match(html, /<pre class="hljs"><code class="hljs language-plaintext">/);
    assert.ok(html.includes("&lt;script&gt;alert(1)&lt;/script&gt;"), html);
    assert.ok(!html.includes("<script>"));
  });

  void it("highlights TOML and shell fences (Cargo.toml fixes, cargo commands)", () => {
    const toml = renderMarkdown("```toml\n[dependencies]\ntokio = \"1\"\n```\n");
    assert.match(toml, /<code class="hljs language-toml">/);
    assert.match(toml, /<span class="hljs-section">\[dependencies\]<\/span>/);
    const shell = renderMarkdown("```sh\n$ cargo add tokio\n```\n");
    assert.match(shell, /<code class="hljs language-(sh|shell)">/);
    assert.match(shell, /<span class="hljs-meta/);
  });
});

void describe("renderPage: untrusted text", () => {
  void it("escapes raw HTML in the explanation's text", () => {
    const html = body(renderPage("**T**\n\nThe value <script>alert(1)</script> and <img src=x onerror=alert(1)>.", OPTIONS));
    assert.ok(!/<script/i.test(html), html);
    assert.ok(!/<img/i.test(html), html);
    assert.ok(html.includes("&lt;script&gt;alert(1)&lt;/script&gt;"), html);
  });

  void it("escapes generics in inline code", () => {
    const html = renderMarkdown("Use `Vec<T>` or `Box<dyn Error>`.");
    assert.ok(html.includes("<code>Vec&lt;T&gt;</code>"), html);
    assert.ok(html.includes("<code>Box&lt;dyn Error&gt;</code>"), html);
  });

  void it("keeps https links as links", () => {
    const html = renderMarkdown("See [the reference](https://doc.rust-lang.org/reference/subtyping.html).");
    assert.ok(html.includes('<a href="https://doc.rust-lang.org/reference/subtyping.html">the reference</a>'), html);
  });

  void it("links bare URLs", () => {
    const html = renderMarkdown("More at https://rust-lang.github.io/async-book/ today.");
    assert.match(html, /<a href="https:\/\/rust-lang\.github\.io\/async-book\/">/);
  });

  void it("does not render javascript:, data: or file: links as links", () => {
    for (const url of ["javascript:alert(1)", "JavaScript:alert(document.cookie)", "data:text/html,<b>x</b>",
      "file:///etc/passwd", "vbscript:msgbox(1)"]) {
      const html = renderMarkdown(`[click me](${url})`);
      assert.ok(!/<a\b/i.test(html), `${url} became ${html}`);
      assert.ok(html.includes("click me"), html);
    }
  });

  void it("does not link a javascript: autolink", () => {
    const html = renderMarkdown("<javascript:alert(1)>");
    assert.ok(!/<a\b/i.test(html), html);
  });
});

void describe("codeExcerpt", () => {
  const lines = [
    "fn main() {",            // 0
    "    let a = Rc::new(1);", // 1
    "    let b = 2;",          // 2
    "    let c = 3;",          // 3
    "    let d = 4;",          // 4
    "    let e = 5;",          // 5
    "    spawn(async move { a });", // 6
    "}",                      // 7
  ];

  void it("shows each marked line with its context, dedented, with a gap marker between", () => {
    const out = codeExcerpt(lines, [1, 6], 1);
    assert.ok(out.startsWith("### Your code\n\nLines 1–8:\n\n```rust\n"), out);
    const body = out.split("```rust\n")[1].split("\n```")[0].split("\n");
    assert.deepEqual(body, [
      "fn main() {",
      "    let a = Rc::new(1);",
      "    let b = 2;",
      "// …",
      "    let e = 5;",
      "    spawn(async move { a });",
      "}",
    ]);
  });

  void it("merges overlapping windows and strips the common indentation", () => {
    const out = codeExcerpt(lines, [3, 4], 0);
    const body = out.split("```rust\n")[1].split("\n```")[0];
    assert.equal(body, "let c = 3;\nlet d = 4;");
    assert.ok(out.includes("Lines 4–5:"), out);
  });

  void it("uses a longer fence when the code itself contains backticks", () => {
    const out = codeExcerpt(["let s = \"```\";"], [0], 0);
    assert.ok(out.includes("````rust\n"), out);
    assert.ok(out.trimEnd().endsWith("\n````"), out);
  });

  void it("is empty without marks inside the file", () => {
    assert.equal(codeExcerpt(lines, [42], 0), "");
  });

  void it("renders as a highlighted Rust block after the summary", () => {
    const text = insertAfterSummary("**T** — tldr\n\n### Why\n\nbecause", codeExcerpt(lines, [1], 0));
    assert.ok(text.indexOf("### Your code") < text.indexOf("### Why"), text);
    const html = renderPage(text, { cspSource: "vscode-resource:", nonce: "n" });
    assert.match(html, /<code class="hljs language-rust">.*<span class="hljs-/s);
  });
});
