/**
 * The explain view's page: borrowlens' markdown explanation rendered to HTML with the code
 * blocks highlighted (highlight.js) and theme-aware styles, under a strict content security
 * policy (no scripts at all). Pure: no `vscode` import.
 */

import hljs from "highlight.js/lib/core";
import rust from "highlight.js/lib/languages/rust";
import toml from "highlight.js/lib/languages/ini";
import shell from "highlight.js/lib/languages/shell";
import MarkdownIt from "markdown-it";

hljs.registerLanguage("rust", rust);
hljs.registerLanguage("toml", toml);
hljs.registerLanguage("shell", shell);
hljs.registerAliases(["rs"], { languageName: "rust" });
hljs.registerAliases(["sh", "console", "bash"], { languageName: "shell" });

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);
}

const markdown: MarkdownIt = new MarkdownIt({
  html: false, // the explanation quotes user code: never let it become markup
  linkify: true,
  typographer: false,
  highlight(code: string, language: string): string {
    // Unlabelled blocks in an explanation of a Rust error are Rust.
    const name = language.trim() === "" ? "rust" : language.trim();
    const known = hljs.getLanguage(name) ? name : null;
    const body = known ? hljs.highlight(code, { language: known, ignoreIllegals: true }).value : escapeHtml(code);
    const label = known ?? "plaintext";
    return `<pre class="hljs"><code class="hljs language-${label}">${body}</code></pre>`;
  },
});

// Only web and documentation links stay clickable; anything else (javascript:, file:) is text.
markdown.validateLink = (url: string): boolean => /^(https?:|mailto:|#)/i.test(url.trim());

/** The explanation's title: the bold text its first line starts with. */
export function explanationTitle(text: string): string {
  const match = /^\*\*(.+?)\*\*/.exec(text.trim());
  return match ? match[1] : "Explanation";
}

export function renderMarkdown(text: string): string {
  return markdown.render(text);
}

export interface PageOptions {
  /** Where the error is, shown under the title (e.g. `src/main.rs:12:5`). */
  location?: string;
  /** The webview's `cspSource`; no resources are loaded, so it only guards styles. */
  cspSource: string;
  nonce: string;
}

const STYLE = `
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size);
  color: var(--vscode-foreground); line-height: 1.5; max-width: 52rem; padding: 0 1.25rem 2rem; }
h1 { font-size: 1.5em; margin-bottom: .2em; }
h3 { margin-top: 1.6em; border-bottom: 1px solid var(--vscode-panel-border, #8884); padding-bottom: .2em; }
.where { color: var(--vscode-descriptionForeground); margin-top: 0; font-family: var(--vscode-editor-font-family); }
a { color: var(--vscode-textLink-foreground); }
a:hover { color: var(--vscode-textLink-activeForeground); }
code { font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size);
  background: var(--vscode-textCodeBlock-background); padding: .1em .3em; border-radius: 3px; }
pre.hljs { background: var(--vscode-textCodeBlock-background); padding: .75em 1em; border-radius: 4px; overflow-x: auto; }
pre.hljs code { background: none; padding: 0; }
hr { border: none; border-top: 1px solid var(--vscode-panel-border, #8884); margin: 2em 0; }
.hljs-keyword, .hljs-built_in { color: var(--vscode-symbolIcon-keywordForeground, #569cd6); }
.hljs-type, .hljs-title.class_ { color: var(--vscode-symbolIcon-classForeground, #4ec9b0); }
.hljs-title.function_, .hljs-title { color: var(--vscode-symbolIcon-functionForeground, #dcdcaa); }
.hljs-string { color: var(--vscode-debugTokenExpression-string, #ce9178); }
.hljs-number, .hljs-literal { color: var(--vscode-debugTokenExpression-number, #b5cea8); }
.hljs-comment { color: var(--vscode-descriptionForeground, #6a9955); font-style: italic; }
.hljs-meta, .hljs-symbol { color: var(--vscode-symbolIcon-constantForeground, #c586c0); }
`;

/** The whole HTML document for the explain view. */
export function renderPage(text: string, options: PageOptions): string {
  const title = explanationTitle(text);
  const where = options.location ? `<p class="where">${escapeHtml(options.location)}</p>` : "";
  const csp = `default-src 'none'; style-src ${options.cspSource} 'nonce-${options.nonce}'; img-src ${options.cspSource} https:;`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(title)}</title>
<style nonce="${options.nonce}">${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${where}
${renderMarkdown(text)}
</body>
</html>`;
}

/**
 * The user's own code at the error, as a Rust block to put under the summary: the lines of
 * the error and of its notes in the same file (0-based `marks`), `context` lines around each,
 * and `// …` where lines are left out. The highlight makes the names in the prose findable.
 */
export function codeExcerpt(lines: readonly string[], marks: readonly number[], context = 1): string {
  const wanted = new Set<number>();
  for (const mark of marks) {
    for (let line = mark - context; line <= mark + context; line++) {
      if (line >= 0 && line < lines.length) {
        wanted.add(line);
      }
    }
  }
  const sorted = [...wanted].sort((a, b) => a - b);
  if (sorted.length === 0) {
    return "";
  }
  const out: string[] = [];
  const indent = Math.min(...sorted.map((l) => lines[l]).filter((t) => t.trim() !== "")
    .map((t) => /^[ \t]*/.exec(t)?.[0].length ?? 0));
  let previous = -1;
  for (const line of sorted) {
    if (previous !== -1 && line > previous + 1) {
      out.push("// …");
    }
    out.push(lines[line].slice(Number.isFinite(indent) ? indent : 0).replace(/\s+$/, ""));
    previous = line;
  }
  // A fence longer than any backtick run in the code keeps the block closed.
  const longest = Math.max(2, ...out.map((t) => Math.max(0, ...(t.match(/`+/g) ?? []).map((m) => m.length))));
  const fence = "`".repeat(longest + 1);
  const first = sorted[0] + 1;
  const last = sorted[sorted.length - 1] + 1;
  return `### Your code\n\nLines ${first}–${last}:\n\n${fence}rust\n${out.join("\n")}\n${fence}`;
}

/** Puts `section` after the explanation's first paragraph (its title and TL;DR). */
export function insertAfterSummary(text: string, section: string): string {
  if (section === "") {
    return text;
  }
  const split = text.indexOf("\n\n");
  return split === -1 ? `${text}\n\n${section}` : `${text.slice(0, split)}\n\n${section}${text.slice(split)}`;
}
