/**
 * The borrowlens VS Code extension end to end, in a real VS Code 1.100 (code-server) driven by
 * Playwright through its UI, on a copy of a std-only fixture crate whose error borrowlens
 * explains and fixes (tests/fixtures/send-rc-across-await/use-list-imports: an `Rc` alive
 * across an `.await` in a future that must be `Send`; the fix turns it into `Arc`):
 *
 * (a) own client: only the borrowlens extension installed, BORROWLENS_RUST_ANALYZER in
 *     code-server's environment: the extension starts borrowlens as a proxy in front of the
 *     real rust-analyzer. Squiggle, hover explanation, the markers beside the lines while the
 *     cursor is on the error (and gone when it leaves), the explain view, the status bar, the
 *     quick fix applied from Ctrl+. and saved, the error gone, `cargo check` passing.
 * (b) routed: the rust-analyzer stand-in (test/ra-standin, the real rust-analyzer bundled)
 *     installed too: the consent notification, "This Workspace", the workspace settings
 *     pointing the stand-in at borrowlens with its own rust-analyzer behind it, the
 *     explanation in the mouse hover and in the hover at the cursor (Ctrl+K Ctrl+I, which
 *     rust-analyzer's client asks for as a Range), borrowlens' fix in the Ctrl+. menu, then
 *     "Stop Routing rust-analyzer" undoing it all.
 * (c) routed with `rust-analyzer.restartServerOnConfigChange` and a `rust-analyzer.server.path`
 *     in the user settings, routing preset to the workspace: rust-analyzer restarts itself on
 *     each settings write, and ends up with the user's rust-analyzer (not the bundled one)
 *     behind a single borrowlens, the status bar saying proxy.
 *
 * Needs code-server, Chromium, rust-analyzer, the borrowlens server and the extension's vsix
 * (`npm run package`); fails, never skips, when one is missing. Screenshots and (on failure)
 * logs: $BORROWLENS_E2E_ARTIFACTS (default editors/vscode/test-artifacts/).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

import { parse as parseJsonc } from 'jsonc-parser';

import type { CodeServer, ProcessInfo } from './codeServer';
import { runScenario } from './scenario';
import {
  borrowlensServer,
  borrowlensVsix,
  cargoCheck,
  chromiumBinary,
  codeServerBinary,
  copyFixtureCrate,
  packageStandin,
  rustAnalyzerBinary,
  tempDir,
} from './tools';
import { waitFor, type HoverContent, type Workbench } from './workbench';

const FIXTURE = 'send-rc-across-await/use-list-imports';
const FILE = 'src/lib.rs';
/** The family's title for this error, as borrowlens words it (hover, explain view). */
const TITLE = 'Rc held across an await in a Send future';
const RUSTC_MESSAGE = 'future cannot be sent between threads safely';
const CONSENT = 'Route rust-analyzer through borrowlens?';
const RA_ID = 'rust-lang.rust-analyzer';
/** A cold rust-analyzer (sysroot indexing) plus a cold cargo check on two cores. */
const SLOW_MS = 300_000;
const SCENARIO_TIMEOUT_MS = 25 * 60_000;

interface Crate {
  dir: string;
  file: string;
  checkTarget: string;
  settingsFile: string;
}

/** Fails at once, with the tool's message, when something the scenarios need is missing. */
function requireTools(): void {
  codeServerBinary();
  chromiumBinary();
  rustAnalyzerBinary();
  borrowlensServer();
  borrowlensVsix();
}

/** The fixture crate in a fresh temporary folder, with `borrowlens.server.path` in its
 * workspace settings. */
function prepareCrate(name: string): Crate {
  const root = tempDir(name);
  const dir = copyFixtureCrate(FIXTURE, path.join(root, 'crate'));
  const settingsFile = path.join(dir, '.vscode', 'settings.json');
  fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
  fs.writeFileSync(settingsFile, `${JSON.stringify({ 'borrowlens.server.path': borrowlensServer() }, null, 2)}\n`);
  return { dir, file: path.join(dir, FILE), checkTarget: path.join(root, 'check-target'), settingsFile };
}

function removeCrate(crate: Crate): void {
  fs.rmSync(path.dirname(crate.dir), { recursive: true, force: true });
}

function workspaceSettings(crate: Crate): Record<string, unknown> {
  const text = fs.existsSync(crate.settingsFile) ? fs.readFileSync(crate.settingsFile, 'utf8') : '{}';
  const value: unknown = parseJsonc(text);
  return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}

function samePath(a: unknown, b: string): boolean {
  if (typeof a !== 'string') {
    return false;
  }
  if (a === b) {
    return true;
  }
  try {
    return fs.realpathSync(a) === fs.realpathSync(b);
  } catch {
    return false;
  }
}

/** The borrowlens explanation in a hover: bold title, the fix, the link to the full text. */
function isExplained(hover: HoverContent): boolean {
  return hover.text.includes(TITLE) && hover.text.includes('Fix:') && hover.links.some((link) => link.text.includes('Open the full explanation'));
}

function assertExplainedHover(hover: HoverContent): void {
  assert.ok(hover.bold.some((text) => text.includes(TITLE)), `the title is not bold in the hover: ${JSON.stringify(hover.bold)}`);
  assert.match(hover.text, /Fix:/);
  assert.match(hover.text, /`?words`?/);
  assert.match(hover.text, /Arc<Vec<String>>/);
  const link = hover.links.find((l) => l.text.includes('Open the full explanation'));
  assert.ok(link, `no "Open the full explanation" link in the hover: ${JSON.stringify(hover.links)}`);
}

/** The processes of `server` running `executable` (the borrowlens script runs under Python). */
function running(server: CodeServer, executable: string): ProcessInfo[] {
  return server.processes().filter((p) => p.argv.some((arg) => samePath(arg, executable)) || p.argv[0] === executable);
}

/** Waits for a rust-analyzer process running `rustAnalyzer` whose parent is (or is not) a
 * borrowlens process; returns it. */
async function rustAnalyzerBehind(server: CodeServer, rustAnalyzer: string, behindBorrowlens: boolean, timeoutMs = 60_000): Promise<ProcessInfo> {
  const borrowlens = borrowlensServer();
  let seen = '';
  try {
    return await waitFor(`rust-analyzer ${rustAnalyzer} ${behindBorrowlens ? 'behind' : 'not behind'} borrowlens`, timeoutMs, () => {
      const all = server.processes();
      const proxies = new Set(all.filter((p) => p.argv.some((arg) => samePath(arg, borrowlens))).map((p) => p.pid));
      const servers = all.filter((p) => p.argv[0] !== undefined && samePath(p.argv[0], rustAnalyzer));
      seen = JSON.stringify(servers.map((p) => ({ pid: p.pid, ppid: p.ppid, underBorrowlens: proxies.has(p.ppid) })));
      const match = servers.find((p) => proxies.has(p.ppid) === behindBorrowlens);
      if (!match) {
        return undefined;
      }
      // The other way round must not also be running (a second, stale server).
      return servers.every((p) => proxies.has(p.ppid) === behindBorrowlens) ? match : undefined;
    }, 500);
  } catch (error) {
    throw new Error(`${String(error)}; rust-analyzer processes: ${seen}`, { cause: error });
  }
}

/** Opens the file and waits for the squiggle whose hover is borrowlens' explanation. */
async function explainedSquiggle(wb: Workbench): Promise<HoverContent> {
  await wb.step('open-file', () => wb.openFile(FILE));
  await wb.step('squiggle', () => wb.waitForSquiggle({ timeoutMs: SLOW_MS, saveEveryMs: 90_000 }));
  return wb.step('hover', () => wb.hoverUntil(() => wb.squiggles().first(), 'borrowlens\' explanation in the hover', isExplained, SLOW_MS));
}

void test('VS Code (a): own language client, borrowlens in front of rust-analyzer', { timeout: SCENARIO_TIMEOUT_MS }, async () => {
  requireTools();
  const rustAnalyzer = rustAnalyzerBinary();
  const crate = prepareCrate('vscode-own');
  const original = fs.readFileSync(crate.file, 'utf8');

  await runScenario(
    'own-client',
    crate.dir,
    {
      extensions: [borrowlensVsix()],
      env: { BORROWLENS_RUST_ANALYZER: rustAnalyzer },
      // The client's messages in the Borrow Lens output channel (in the logs of a failed run).
      userSettings: { 'borrowlens.trace.server': process.env.BORROWLENS_E2E_TRACE ?? 'messages' },
    },
    async ({ server, workbench: wb }) => {
      const hover = await explainedSquiggle(wb);
      assertExplainedHover(hover);
      await wb.step('proxy-process', () => rustAnalyzerBehind(server, rustAnalyzer, true));

      const status = await wb.step('status-bar', () =>
        wb.statusBarText('borrowlens.status', (text) => text.includes('borrowlens: proxy') && /\b1 error\b/.test(text)),
      );
      assert.match(status, /borrowlens: proxy · 1 error/);

      // The explanation's numbered places beside their lines while the cursor is on the error
      // (the step's screenshot shows them), gone once it leaves.
      const numbered = (texts: string[]): string[] => texts.filter((text) => /^[①-⑳] /.test(text));
      await wb.step('cursor-on-error-markers', () => wb.clickOn(wb.squiggles().first()));
      const markers = numbered(await wb.step('markers-shown', () =>
        wb.waitForDecorations('the markers of the error after their lines', (texts) => numbered(texts).length >= 2, 60_000)));
      assert.ok(markers.some((text) => text.startsWith('② `words` (`Rc<Vec<String>>`, not `Send`) is created here')), `markers: ${JSON.stringify(markers)}`);
      assert.ok(markers.some((text) => /^③ the future is suspended here while `words` is still alive/.test(text)), `markers: ${JSON.stringify(markers)}`);
      await wb.step('cursor-away', () => wb.goTo(1, 1));
      await wb.step('markers-gone', () => wb.waitForDecorations('no marker once the cursor left the error', (texts) => numbered(texts).length === 0));

      // The explain view, from the command palette with the cursor on the error.
      await wb.step('cursor-on-error', () => wb.clickOn(wb.squiggles().first()));
      await wb.step('explain-command', () => wb.runCommand('Borrow Lens: Explain Error at Cursor'));
      const viewTitle = `Borrow Lens: ${TITLE}`;
      const text = await wb.step('explain-view', () => wb.webviewText(viewTitle));
      const view = await wb.webview(viewTitle);
      assert.equal((await view.locator('h1').first().innerText()).trim(), TITLE);
      assert.ok((await view.locator('h3').count()) > 0, 'no <h3> section headings in the explain view');
      const highlighted = view.locator('pre code.hljs.language-rust span[class^="hljs-"]');
      assert.ok((await highlighted.count()) > 0, 'no highlighted Rust code block (pre code.hljs.language-rust with hljs spans) in the explain view');
      assert.ok((await view.locator('a[href^="https://"]').count()) > 0, 'no https link in the explain view');
      assert.match(text, /words/);

      // The quick fix from Ctrl+. on the error, then saved.
      await wb.step('focus-editor', () => wb.activateTab(path.basename(FILE)));
      await wb.step('cursor-on-error-again', () => wb.clickOn(wb.squiggles().first()));
      const actions = await wb.step('quick-fix', () => wb.quickFix(/\(borrowlens\)$/));
      assert.ok(actions.some((title) => /^Use `Arc` instead of `Rc` for `words`( — compiles)? \(borrowlens\)$/.test(title)), `actions: ${JSON.stringify(actions)}`);
      await wb.step('fix-applied', () => wb.waitForDirty());
      await wb.step('save', () => wb.save());
      const fixed = await waitFor('the fix on disk', 30_000, () => {
        const now = fs.readFileSync(crate.file, 'utf8');
        return now !== original ? now : undefined;
      });
      assert.match(fixed, /let words: Arc<Vec<String>> = Arc::new\(/);
      assert.match(fixed, /^use std::sync::Arc;$/m);
      assert.ok(fixed.includes('let counts = RefCell::new(HashMap::new());'), 'the fix touched the RefCell');
      assert.ok(!/\bRc\b/.test(fixed.replace(/^\/\/!.*$/gm, '')), `an Rc is left:\n${fixed}`);

      await wb.step('error-gone', () => wb.waitForNoSquiggle(SLOW_MS));
      const check = cargoCheck(crate.dir, crate.checkTarget);
      assert.ok(check.ok, `cargo check --offline fails after the fix:\n${check.output}`);
    },
  );
  removeCrate(crate);
});

void test('VS Code (b): the rust-analyzer extension routed through borrowlens', { timeout: SCENARIO_TIMEOUT_MS }, async () => {
  requireTools();
  const standin = packageStandin();
  const crate = prepareCrate('vscode-routed');

  await runScenario(
    'routed',
    crate.dir,
    // No BORROWLENS_RUST_ANALYZER: the routing must pass the extension's own rust-analyzer.
    {
      extensions: [standin, borrowlensVsix()],
      env: { BORROWLENS_RUST_ANALYZER: undefined },
      // The stand-in's client messages in its trace output channel (in the logs of a failed run).
      userSettings: { 'rust-analyzer.trace.server': process.env.BORROWLENS_E2E_TRACE ?? 'messages' },
    },
    async ({ server, workbench: wb }) => {
      const bundled = path.join(server.extensionDir(RA_ID), 'server', 'rust-analyzer');
      await wb.step('open-file', () => wb.openFile(FILE));

      const buttons = await wb.step('consent-notification', () => wb.notificationButtons(CONSENT, 120_000));
      assert.deepEqual(buttons, ['This Workspace', 'All Workspaces (User)', 'Not Now', 'Never']);
      await wb.step('consent', () => wb.clickNotificationButton(CONSENT, 'This Workspace'));
      const routed = await wb.step('settings-written', () =>
        waitFor('rust-analyzer.server.path in .vscode/settings.json', 30_000, () => {
          const settings = workspaceSettings(crate);
          return settings['rust-analyzer.server.path'] !== undefined && settings['rust-analyzer.server.extraEnv'] !== undefined ? settings : undefined;
        }),
      );
      assert.ok(samePath(routed['rust-analyzer.server.path'], borrowlensServer()), `rust-analyzer.server.path: ${JSON.stringify(routed['rust-analyzer.server.path'])}`);
      const extraEnv = routed['rust-analyzer.server.extraEnv'] as Record<string, unknown> | null;
      assert.ok(extraEnv && typeof extraEnv === 'object', `rust-analyzer.server.extraEnv: ${JSON.stringify(extraEnv)}`);
      assert.ok(samePath(extraEnv.BORROWLENS_RUST_ANALYZER, bundled), `BORROWLENS_RUST_ANALYZER: ${JSON.stringify(extraEnv.BORROWLENS_RUST_ANALYZER)}, expected ${bundled}`);
      assert.equal(routed['borrowlens.server.path'], borrowlensServer(), 'the workspace\'s own setting was lost');
      assert.ok(fs.existsSync(server.ledgerFile), `no routing ledger at ${server.ledgerFile}`);

      // The stand-in restarted with borrowlens, which runs the stand-in's rust-analyzer.
      await wb.step('routed-process', () => rustAnalyzerBehind(server, bundled, true, 120_000));
      await wb.step('squiggle', () => wb.waitForSquiggle({ timeoutMs: SLOW_MS, saveEveryMs: 90_000 }));
      const hover = await wb.step('hover', () =>
        wb.hoverUntil(() => wb.squiggles().first(), 'borrowlens\' explanation in the hover', isExplained, SLOW_MS),
      );
      assertExplainedHover(hover);
      const status = await wb.step('status-bar', () => wb.statusBarText('borrowlens.status', (text) => text.includes('borrowlens: proxy')));
      assert.match(status, /borrowlens: proxy/);

      // The hover at the cursor: a click into the squiggle, then Ctrl+K Ctrl+I. The cursor is an
      // empty selection containing the position, so rust-analyzer's client sends the hover
      // request with a Range; the explanation must be there all the same.
      await wb.step('cursor-in-squiggle', () => wb.clickOn(wb.squiggles().first()));
      const atCursor = await wb.step('hover-at-cursor', () =>
        wb.hoverAtCursorUntil('borrowlens\' explanation in the hover at the cursor', isExplained, SLOW_MS));
      assertExplainedHover(atCursor);
      await wb.page.keyboard.press('Escape');

      // Ctrl+. lists borrowlens' fix (rust-analyzer's client lists nothing at all when a
      // resolved action carries a command); left unapplied.
      const actions = await wb.step('quick-fix-listed', () => wb.codeActions(/\(borrowlens\)$/));
      assert.ok(actions.some((title) => /^Use `Arc` instead of `Rc` for `words`( — compiles)? \(borrowlens\)$/.test(title)), `actions: ${JSON.stringify(actions)}`);

      // The hover's link opens the explain view; borrowlens.explain goes through the
      // rust-analyzer extension's client this time.
      await wb.step('hover-again', () =>
        wb.hoverUntil(() => wb.squiggles().first(), 'borrowlens\' explanation in the hover', isExplained, SLOW_MS));
      await wb.step('hover-link', () => wb.clickHoverLink('Open the full explanation'));
      const viewTitle = `Borrow Lens: ${TITLE}`;
      const text = await wb.step('explain-view-from-hover', () => wb.webviewText(viewTitle));
      assert.match(text, /words/);
      assert.match(text, /Your code/);

      await wb.step('unroute', () => wb.runCommand('Borrow Lens: Stop Routing rust-analyzer'));
      await wb.step('unroute-notification', () => wb.waitForNotification('no longer goes through borrowlens', 60_000));
      const after = await wb.step('settings-restored', () =>
        waitFor('the routing keys to leave .vscode/settings.json', 30_000, () => {
          const settings = workspaceSettings(crate);
          return settings['rust-analyzer.server.path'] === undefined && settings['rust-analyzer.server.extraEnv'] === undefined ? settings : undefined;
        }),
      );
      assert.equal(after['borrowlens.server.path'], borrowlensServer(), 'unrouting removed the workspace\'s own setting');
      assert.ok(!fs.existsSync(server.ledgerFile), `the routing ledger is still there: ${server.ledgerFile}`);

      // rust-analyzer restarted on its own again, and its errors are its own again.
      await wb.step('unrouted-process', () => rustAnalyzerBehind(server, bundled, false, 120_000));
      // The old proxy exits once its client has shut it down: give it the time a shutdown takes.
      await wb.step('borrowlens-exited', () =>
        waitFor('the routed borrowlens process to exit', 30_000, () => running(server, borrowlensServer()).length === 0 ? true : undefined));
      const plain = await wb.step('plain-hover', () =>
        wb.hoverUntil(() => wb.squiggles().first(), 'rust-analyzer\'s own hover (no explanation)', (h) => h.text.includes(RUSTC_MESSAGE) && !h.text.includes(TITLE), SLOW_MS),
      );
      assert.ok(!plain.links.some((link) => link.text.includes('Open the full explanation')), 'the explanation link is still in the hover');
    },
  );
  removeCrate(crate);
});

void test('VS Code (c): routed while rust-analyzer restarts on settings changes, its user-set rust-analyzer behind borrowlens', { timeout: SCENARIO_TIMEOUT_MS }, async () => {
  requireTools();
  const standin = packageStandin();
  const crate = prepareCrate('vscode-restarting');
  // The user's own rust-analyzer (user settings): a copy of its own, so that neither the
  // stand-in's bundled copy nor what borrowlens would find by itself (the same binary at
  // rustAnalyzerBinary()'s path) can pass for it.
  const userRa = path.join(path.dirname(crate.dir), 'user-rust-analyzer', 'rust-analyzer');
  fs.mkdirSync(path.dirname(userRa), { recursive: true });
  fs.copyFileSync(rustAnalyzerBinary(), userRa);
  fs.chmodSync(userRa, 0o755);

  await runScenario(
    'routed-restart-on-change',
    crate.dir,
    {
      extensions: [standin, borrowlensVsix()],
      env: { BORROWLENS_RUST_ANALYZER: undefined },
      userSettings: {
        'rust-analyzer.trace.server': process.env.BORROWLENS_E2E_TRACE ?? 'messages',
        'rust-analyzer.restartServerOnConfigChange': true,
        'rust-analyzer.server.path': userRa,
        // No question: routed at start-up, while the rust-analyzer extension is activating.
        'borrowlens.rustAnalyzer.routing': 'workspace',
      },
    },
    async ({ server, workbench: wb }) => {
      await wb.step('open-file', () => wb.openFile(FILE));
      const routed = await wb.step('settings-written', () =>
        waitFor('rust-analyzer.server.path in .vscode/settings.json', 60_000, () => {
          const settings = workspaceSettings(crate);
          return settings['rust-analyzer.server.path'] !== undefined ? settings : undefined;
        }),
      );
      assert.ok(samePath(routed['rust-analyzer.server.path'], borrowlensServer()), `rust-analyzer.server.path: ${JSON.stringify(routed['rust-analyzer.server.path'])}`);
      const extraEnv = routed['rust-analyzer.server.extraEnv'] as Record<string, unknown> | null;
      assert.ok(extraEnv && samePath(extraEnv.BORROWLENS_RUST_ANALYZER, userRa),
        `BORROWLENS_RUST_ANALYZER: ${JSON.stringify(extraEnv?.BORROWLENS_RUST_ANALYZER)}, expected the user's ${userRa}`);

      // Two writes, two restarts by rust-analyzer itself: in the end one borrowlens with the
      // user's rust-analyzer behind it, and no other rust-analyzer (a second client, the
      // bundled binary, or one borrowlens found by itself for want of BORROWLENS_RUST_ANALYZER).
      await wb.step('routed-process', () => rustAnalyzerBehind(server, userRa, true, 120_000));
      let seen = '';
      await wb.step('one-server', () =>
        waitFor('one borrowlens and one rust-analyzer (the user\'s), for 5 s', 60_000, (() => {
          let since: number | undefined;
          return () => {
            const servers = server.processes().filter((p) => path.basename(p.argv[0] ?? '') === 'rust-analyzer');
            const proxies = running(server, borrowlensServer());
            seen = JSON.stringify({ rustAnalyzers: servers.map((p) => p.argv[0]), borrowlens: proxies.length });
            const single = proxies.length === 1 && servers.length === 1 && samePath(servers[0].argv[0], userRa);
            since = single ? since ?? Date.now() : undefined;
            return since !== undefined && Date.now() - since >= 5000 ? true : undefined;
          };
        })(), 500).catch((error: unknown) => { throw new Error(`${String(error)}; running: ${seen}`, { cause: error }); }));
      const status = await wb.step('status-bar', () => wb.statusBarText('borrowlens.status', (text) => text.includes('borrowlens: proxy')));
      assert.match(status, /borrowlens: proxy/);
    },
  );
  removeCrate(crate);
});
