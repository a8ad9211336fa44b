/**
 * The harness itself, without the borrowlens extension: code-server with only the
 * rust-analyzer stand-in (test/ra-standin, the real rust-analyzer bundled) on a small crate
 * with a type error and an unused variable. Every workbench helper the borrowlens scenarios
 * use is exercised here against VS Code's and rust-analyzer's own behaviour, so that when
 * vscode.e2e fails, this tells whether the harness or the extension is at fault.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

import { runScenario } from './scenario';
import { chromiumBinary, codeServerBinary, packageStandin, rustAnalyzerBinary, tempDir } from './tools';
import { waitFor } from './workbench';

const LIB_RS = `pub fn answer() -> u32 {
    let x: u32 = "not a number";
    x
}

pub fn unused() { let y = 5; }
`;

const README = `# Harness heading

Some *text* and a [link](https://www.rust-lang.org/).

\`\`\`rust
fn main() { let answer = 42; }
\`\`\`
`;

function makeCrate(): string {
  const crate = path.join(tempDir('harness-crate'), 'crate');
  fs.mkdirSync(path.join(crate, 'src'), { recursive: true });
  fs.writeFileSync(path.join(crate, 'Cargo.toml'), '[package]\nname = "harness-crate"\nversion = "0.0.0"\nedition = "2021"\n\n[dependencies]\n');
  fs.writeFileSync(path.join(crate, 'src', 'lib.rs'), LIB_RS);
  fs.writeFileSync(path.join(crate, 'README.md'), README);
  return crate;
}

void test('harness: code-server + Playwright drive the rust-analyzer stand-in', { timeout: 20 * 60_000 }, async () => {
  codeServerBinary();
  chromiumBinary();
  rustAnalyzerBinary();
  const standin = packageStandin();
  const crate = makeCrate();
  const lib = path.join(crate, 'src', 'lib.rs');

  await runScenario('harness', crate, { extensions: [standin] }, async ({ server, workbench: wb }) => {
    const bundledServers = (): number[] =>
      server.processes().filter((p) => p.argv[0]?.endsWith('/server/rust-analyzer')).map((p) => p.pid);

    await wb.step('open-lib-rs', () => wb.openFile('src/lib.rs'));

    const squiggle = await wb.step('squiggle', () => wb.waitForSquiggle({ timeoutMs: 300_000, saveEveryMs: 90_000 }));
    const hover = await wb.step('hover', () =>
      wb.hoverUntil(() => squiggle, 'rust-analyzer\'s type mismatch in the hover', (h) => h.text.includes('expected u32, found')),
    );
    assert.match(hover.text, /expected u32, found &(?:'static )?str/);

    await wb.step('go-to-line', () => wb.goTo(6, 23));

    const actions = await wb.step('quick-fix', () => wb.quickFix(/_y/));
    assert.ok(actions.some((title) => title.includes('_y')), `actions: ${JSON.stringify(actions)}`);
    await wb.step('fix-applied', () => wb.waitForDirty());
    await wb.step('save-fix', () => wb.save());
    assert.match(fs.readFileSync(lib, 'utf8'), /let _y = 5;/);

    // A notification with buttons: the file changed on disk under an unsaved edit.
    await wb.step('save-conflict', async () => {
      await wb.goTo(1, 1);
      await wb.page.keyboard.type('/* edited in the editor */ ');
      fs.appendFileSync(lib, '// changed on disk\n');
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await wb.page.keyboard.press('Control+S');
      await wb.clickNotificationButton('Failed to save', 'Overwrite');
      await wb.page.locator('.tabs-container .tab.active.dirty').waitFor({ state: 'detached', timeout: 30_000 });
    });
    const saved = fs.readFileSync(lib, 'utf8');
    assert.ok(saved.startsWith('/* edited in the editor */ pub fn answer()'), saved);
    assert.ok(!saved.includes('changed on disk'), saved);

    // The stand-in's restart command (the routed scenario relies on it): a new rust-analyzer
    // process replaces the old one, and the diagnostics come back.
    const before = bundledServers();
    assert.equal(before.length, 1, `bundled rust-analyzer processes: ${JSON.stringify(before)}`);
    await wb.step('restart-server', async () => {
      await wb.runCommand('rust-analyzer: Restart server');
      await waitFor('a new rust-analyzer process', 60_000, () => {
        const now = bundledServers();
        return now.length === 1 && now[0] !== before[0] ? true : undefined;
      });
      await wb.waitForSquiggle({ timeoutMs: 300_000, saveEveryMs: 60_000 });
    });

    await wb.step('status-bar', () => wb.statusBarText('status.editor.mode', (text) => text === 'Rust'));

    // A webview: the Markdown preview, opened beside the editor from the command palette.
    await wb.step('open-readme', () => wb.openFile('README.md'));
    await wb.step('markdown-preview', () => wb.runCommand('Markdown: Open Preview to the Side'));
    const text = await wb.step('webview-text', () => wb.webviewText('Preview README.md'));
    assert.match(text, /Harness heading/);
    const frame = await wb.webview('Preview README.md');
    assert.equal((await frame.locator('h1').first().innerText()).trim(), 'Harness heading');
    assert.ok((await frame.locator('pre code.language-rust span[class^="hljs-"]').count()) > 0, 'no highlighted rust block');
    assert.ok((await frame.locator('a[href^="https://"]').count()) > 0, 'no https link');
  });
  fs.rmSync(path.dirname(crate), { recursive: true, force: true });
});
