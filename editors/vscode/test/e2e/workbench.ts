/**
 * Playwright helpers for the VS Code workbench as code-server serves it: the things a user
 * does (quick open, go to line, command palette, hover with the mouse or at the cursor with
 * Ctrl+K Ctrl+I, Ctrl+., save, notification buttons)
 * and reads (squiggles, hovers, the status bar, webview documents), each with a generous
 * timeout and a failure message that says what was on screen. Every step can be wrapped in
 * `step()`, which saves a screenshot after it (and a "-FAILED" one when it throws).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { chromium, type Browser, type FrameLocator, type Locator, type Page } from 'playwright-core';

import { chromiumBinary } from './tools';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface HoverContent {
  /** The hover's text as shown (all its parts: diagnostics, then the language servers'). */
  text: string;
  /** Text of the bold (`<strong>`/`<b>`) elements. */
  bold: string[];
  /** Links: text and href (command links have `command:` hrefs). */
  links: { text: string; href: string }[];
}

/** The little of the DOM the in-page callbacks use, typed here so that this file compiles
 * with or without the DOM lib (the extension's own tsconfig need not include it). */
interface DomElement {
  readonly innerText?: string;
  readonly textContent: string | null;
  readonly offsetParent?: unknown;
  readonly classList: { contains(token: string): boolean };
  getAttribute(name: string): string | null;
  querySelectorAll(selectors: string): ArrayLike<DomElement>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A CSS string literal (attribute selectors). */
const css = (value: string): string => JSON.stringify(value);

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Polls `probe` until it returns something other than undefined, or fails with `what`. */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined> | T | undefined,
  everyMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) {
        return value;
      }
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${lastError ? ` (last error: ${errorMessage(lastError)})` : ''}`);
    }
    await sleep(everyMs);
  }
}

export class Workbench {
  private shots = 0;
  private readonly stepLog: string[] = [];

  private constructor(
    readonly browser: Browser,
    readonly page: Page,
    /** Screenshots and the browser console go here. */
    readonly artifacts: string,
  ) {}

  /** Launches Chromium and opens `url` (a code-server workbench URL) in a 1400×900 page. */
  static async open(url: string, artifacts: string, timeoutMs = 120_000): Promise<Workbench> {
    fs.mkdirSync(artifacts, { recursive: true });
    const browser = await chromium.launch({ executablePath: chromiumBinary(), headless: true, args: CHROMIUM_ARGS });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const consoleLog = path.join(artifacts, 'browser-console.log');
    page.on('console', (message) => {
      fs.appendFileSync(consoleLog, `[${message.type()}] ${message.text()}\n`);
    });
    page.on('pageerror', (error) => {
      fs.appendFileSync(consoleLog, `[pageerror] ${error.message}\n`);
    });
    const workbench = new Workbench(browser, page, artifacts);
    try {
      await workbench.step('workbench', async () => {
        await page.goto(url, { timeout: timeoutMs });
        await page.locator('.monaco-workbench').waitFor({ timeout: timeoutMs });
        await page.locator('.part.statusbar').waitFor({ timeout: timeoutMs });
        // The folder is open once the explorer lists something.
        await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: timeoutMs });
      });
    } catch (error) {
      await browser.close();
      throw error;
    }
    return workbench;
  }

  async close(): Promise<void> {
    fs.writeFileSync(path.join(this.artifacts, 'steps.log'), `${this.stepLog.join('\n')}\n`);
    await this.browser.close().catch(() => undefined);
  }

  // --- steps, screenshots -------------------------------------------------------------------

  /** Saves a numbered screenshot; returns its path. */
  async screenshot(name: string): Promise<string> {
    this.shots += 1;
    const file = path.join(this.artifacts, `${String(this.shots).padStart(2, '0')}-${name.replace(/[^\w.-]+/g, '_')}.png`);
    await this.page.screenshot({ path: file, timeout: 20_000 });
    return file;
  }

  /** Runs one step: a screenshot after it; when it throws, a "-FAILED" screenshot and an
   * error naming the step, its duration, the screenshot and the notifications on screen. */
  async step<T>(name: string, body: () => Promise<T>): Promise<T> {
    const started = Date.now();
    try {
      const result = await body();
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      this.stepLog.push(`${name}: ${seconds} s`);
      await this.screenshot(name).catch(() => undefined);
      return result;
    } catch (error) {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      this.stepLog.push(`${name}: FAILED after ${seconds} s`);
      const shot = await this.screenshot(`${name}-FAILED`).catch((e: unknown) => `(no screenshot: ${errorMessage(e)})`);
      const notes = await this.notificationTexts().catch(() => [] as string[]);
      throw new Error(
        `step "${name}" failed after ${seconds} s: ${errorMessage(error)}\n` +
          `screenshot: ${shot}\n` +
          `notifications on screen: ${notes.length ? notes.map((n) => JSON.stringify(n)).join('; ') : '(none)'}`,
        { cause: error },
      );
    }
  }

  /** "name: seconds" of every step so far. */
  get steps(): readonly string[] {
    return this.stepLog;
  }

  // --- quick input: files, lines, commands ---------------------------------------------------

  private quickInput(): Locator {
    return this.page.locator('.quick-input-widget .quick-input-box input');
  }

  private quickInputRows(): Locator {
    return this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
  }

  private async rowLabels(): Promise<string[]> {
    return this.quickInputRows().evaluateAll((rows: DomElement[]) => rows.map((row) => row.getAttribute('aria-label') ?? ''));
  }

  /** Quick open (Ctrl+P), the path relative to the workspace folder, Enter; waits for its tab. */
  async openFile(relativePath: string, timeoutMs = 60_000): Promise<void> {
    const base = path.basename(relativePath);
    const dir = path.dirname(relativePath);
    await this.page.keyboard.press('Control+P');
    await this.quickInput().waitFor({ state: 'visible', timeout: timeoutMs });
    await this.quickInput().fill(relativePath);
    // File rows are labelled "<name>, <folder>"; wait for ours to be the first.
    await waitFor(`quick open to list ${relativePath}`, timeoutMs, async () => {
      const labels = await this.rowLabels();
      const first = labels[0] ?? '';
      return first.startsWith(base) && (dir === '.' || first.includes(dir)) ? true : undefined;
    });
    await this.page.keyboard.press('Enter');
    await this.page
      .locator(`.tabs-container .tab.active[aria-label^=${css(base)}]`)
      .first()
      .waitFor({ timeout: timeoutMs });
    await this.page.locator('.monaco-editor.focused').first().waitFor({ timeout: timeoutMs });
  }

  /** Go to line and column (Ctrl+G, `line:col`, Enter), 1-based; waits for the status bar. */
  async goTo(line: number, column: number, timeoutMs = 20_000): Promise<void> {
    await this.page.keyboard.press('Control+G');
    await this.quickInput().waitFor({ state: 'visible', timeout: timeoutMs });
    await this.quickInput().fill(`:${line}:${column}`);
    await this.page.keyboard.press('Enter');
    await this.statusBarText('status.editor.selection', (text) => text.startsWith(`Ln ${line}, Col ${column}`), timeoutMs);
  }

  /** Runs a command by its palette title ("Category: Title"): F1, the title, then the row
   * labelled exactly so (fuzzy matching may rank another command first). */
  async runCommand(title: string, timeoutMs = 30_000): Promise<void> {
    await this.page.keyboard.press('F1');
    await this.quickInput().waitFor({ state: 'visible', timeout: timeoutMs });
    await this.quickInput().fill(`>${title}`);
    // Rows are labelled "<title>" or "<title>, <keybinding>" / "<title>, similar commands".
    const row = this.page.locator(
      `.quick-input-widget .quick-input-list .monaco-list-row[aria-label=${css(title)}], ` +
        `.quick-input-widget .quick-input-list .monaco-list-row[aria-label^=${css(`${title},`)}]`,
    );
    try {
      await row.first().waitFor({ state: 'visible', timeout: timeoutMs });
    } catch (error) {
      const labels = await this.rowLabels().catch(() => [] as string[]);
      await this.page.keyboard.press('Escape');
      throw new Error(`no command titled ${JSON.stringify(title)} in the palette; it lists: ${JSON.stringify(labels)}`, {
        cause: error,
      });
    }
    await row.first().click();
    await this.quickInput().waitFor({ state: 'hidden', timeout: timeoutMs });
  }

  // --- editor ---------------------------------------------------------------------------------

  /** Error squiggles in the visible editors. */
  squiggles(kind: 'error' | 'warning' = 'error'): Locator {
    return this.page.locator(`.monaco-editor .view-overlays .squiggly-${kind}`);
  }

  /**
   * Waits for an error squiggle. With `saveEveryMs`, saves the active editor first and again
   * whenever that long passes without one (a save is what makes rust-analyzer run cargo check;
   * a save before the workspace was loaded may be lost).
   */
  async waitForSquiggle(options: { timeoutMs?: number; saveEveryMs?: number } = {}): Promise<Locator> {
    const timeoutMs = options.timeoutMs ?? 240_000;
    let savedAt = 0;
    await waitFor('an error squiggle in the editor', timeoutMs, async () => {
      if ((await this.squiggles().count()) > 0) {
        return true;
      }
      if (options.saveEveryMs && Date.now() - savedAt > options.saveEveryMs) {
        await this.page.keyboard.press('Control+S');
        savedAt = Date.now();
      }
      return undefined;
    }, 500);
    return this.squiggles().first();
  }

  /** Waits until no error squiggle is left, and none came back for `stableMs` (a server
   * clears its diagnostics when a check starts and publishes anew when it ends). */
  async waitForNoSquiggle(timeoutMs = 240_000, stableMs = 10_000): Promise<void> {
    let clearSince: number | undefined;
    await waitFor(`no error squiggle for ${stableMs / 1000} s`, timeoutMs, async () => {
      if ((await this.squiggles().count()) > 0) {
        clearSince = undefined;
        return undefined;
      }
      clearSince ??= Date.now();
      return Date.now() - clearSince >= stableMs ? true : undefined;
    }, 500);
  }

  /**
   * The texts decorations show before or after code in the visible editors: an extension's
   * `before`/`after` `contentText` is the CSS `content` of a pseudo-element on an empty span
   * (were it injected text instead, it would be the text of a `ced-…` span: read too).
   */
  async decorationTexts(): Promise<string[]> {
    return this.page.locator('.monaco-editor .view-lines .view-line span').evaluateAll((spans: DomElement[]) => {
      const view = globalThis as unknown as { getComputedStyle(e: DomElement, pseudo?: string): { content: string } };
      const texts: string[] = [];
      for (const span of spans) {
        for (const pseudo of ['::before', '::after']) {
          const content = view.getComputedStyle(span, pseudo).content;
          // A CSS string: "…", with \" and \\ escaped; "none" / "normal" when there is none.
          if (content.startsWith('"') && content.length > 2) {
            texts.push(content.slice(1, -1).replace(/\\(["\\])/g, '$1'));
          }
        }
        // Injected text: an extension decoration's span (class `ced-…`) holding text itself.
        const text = (span.textContent ?? '').trim();
        if (text && (span.getAttribute('class') ?? '').includes('ced-')) {
          texts.push(text);
        }
      }
      return texts;
    });
  }

  /** Waits until the decoration texts (decorationTexts) are ones `accept` takes; returns them. */
  async waitForDecorations(what: string, accept: (texts: string[]) => boolean, timeoutMs = 30_000): Promise<string[]> {
    let last: string[] = [];
    try {
      return await waitFor(what, timeoutMs, async () => {
        last = await this.decorationTexts();
        return accept(last) ? last : undefined;
      }, 250);
    } catch (error) {
      throw new Error(`${errorMessage(error)}; decoration texts: ${JSON.stringify(last)}`, { cause: error });
    }
  }

  private visibleHover(): Locator {
    return this.page.locator('.monaco-hover:not(.hidden)');
  }

  private async moveMouseAway(): Promise<void> {
    await this.page.mouse.move(5, 450);
    await this.visibleHover().first().waitFor({ state: 'hidden', timeout: 5000 }).catch(() => undefined);
  }

  /** Moves the mouse over `target` (a squiggle) and returns the hover once its text has
   * stopped changing (language servers answer one after another). */
  async hover(target: Locator, timeoutMs = 30_000): Promise<HoverContent> {
    await this.moveMouseAway();
    await target.scrollIntoViewIfNeeded({ timeout: timeoutMs });
    const box = await target.boundingBox({ timeout: timeoutMs });
    if (!box) {
      throw new Error('the hover target is not visible');
    }
    const x = box.x + Math.min(box.width / 2, 12);
    const y = box.y + box.height / 2;
    await this.page.mouse.move(x - 3, y, { steps: 2 });
    await this.page.mouse.move(x, y, { steps: 2 });
    return this.settledHover(timeoutMs);
  }

  /** The hover at the cursor, as the keyboard shows it (Ctrl+K Ctrl+I: "Show or Focus
   * Hover"), once its text has stopped changing. The position is the cursor, inside the
   * (empty) selection: rust-analyzer's client asks for the hover of a Range then. */
  async hoverAtCursor(timeoutMs = 30_000): Promise<HoverContent> {
    await this.moveMouseAway();
    await this.page.keyboard.press('Control+K');
    await this.page.keyboard.press('Control+I');
    return this.settledHover(timeoutMs);
  }

  /** The visible hover's content once its text has not changed for 750 ms. */
  private async settledHover(timeoutMs: number): Promise<HoverContent> {
    const hover = this.visibleHover().first();
    await hover.waitFor({ state: 'visible', timeout: timeoutMs });
    let last = '';
    let stableSince = Date.now();
    await waitFor('the hover text to settle', timeoutMs, async () => {
      const text = (await hover.innerText()).trim();
      if (text !== last) {
        last = text;
        stableSince = Date.now();
        return undefined;
      }
      return text && !/^Loading/.test(text) && Date.now() - stableSince > 750 ? true : undefined;
    }, 150);
    return hover.evaluate((element: DomElement) => ({
      text: element.innerText ?? '',
      bold: Array.from(element.querySelectorAll('strong, b')).map((node) => node.innerText ?? ''),
      links: Array.from(element.querySelectorAll('a')).map((node) => ({
        text: node.innerText ?? '',
        href: node.getAttribute('data-href') ?? node.getAttribute('href') ?? '',
      })),
    }));
  }

  /** Clicks a link of the hover that is showing (the mouse travels into the hover, which
   * keeps it open, as a user's does). */
  async clickHoverLink(text: string, timeoutMs = 20_000): Promise<void> {
    const link = this.visibleHover().first().locator('a', { hasText: text }).first();
    await link.waitFor({ state: 'visible', timeout: timeoutMs });
    await link.click({ timeout: timeoutMs });
  }

  /** Hovers `target` again and again until `accept(hover)` (a diagnostic's hover changes when
   * a server publishes it anew, or restarts). */
  async hoverUntil(target: () => Locator | Promise<Locator>, what: string, accept: (hover: HoverContent) => boolean, timeoutMs = 240_000): Promise<HoverContent> {
    return this.retryHover(async () => this.hover(await target(), 20_000), what, accept, timeoutMs);
  }

  /** Shows the hover at the cursor (Ctrl+K Ctrl+I) again and again until `accept(hover)`. */
  async hoverAtCursorUntil(what: string, accept: (hover: HoverContent) => boolean, timeoutMs = 240_000): Promise<HoverContent> {
    return this.retryHover(() => this.hoverAtCursor(20_000), what, accept, timeoutMs);
  }

  private async retryHover(show: () => Promise<HoverContent>, what: string, accept: (hover: HoverContent) => boolean, timeoutMs: number): Promise<HoverContent> {
    let last: HoverContent | undefined;
    try {
      return await waitFor(what, timeoutMs, async () => {
        last = await show();
        if (accept(last)) {
          return last;
        }
        await this.moveMouseAway();
        await this.page.keyboard.press('Escape'); // a keyboard hover stays until dismissed
        await sleep(2000);
        return undefined;
      }, 0);
    } catch (error) {
      throw new Error(`${errorMessage(error)}; the last hover read: ${JSON.stringify(last?.text ?? '(none)')}`, { cause: error });
    }
  }

  /** Puts the cursor on `target` with a click (as a user does before Ctrl+.). */
  async clickOn(target: Locator): Promise<void> {
    const box = await target.boundingBox({ timeout: 20_000 });
    if (!box) {
      throw new Error('the click target is not visible');
    }
    await this.page.mouse.click(box.x + Math.min(box.width / 2, 12), box.y + box.height / 2);
    await this.moveMouseAway();
  }

  private codeActionRows(): Locator {
    return this.page.locator('.action-widget .monaco-list-row.action');
  }

  /**
   * Opens the quick-fix / lightbulb menu at the cursor (Ctrl+.), asking again until an action
   * whose title matches `item` is listed; leaves the menu open. Returns every title listed.
   */
  private async openCodeActions(item: string | RegExp, timeoutMs: number): Promise<string[]> {
    const rows = this.codeActionRows();
    const matches = (title: string): boolean => (typeof item === 'string' ? title.includes(item) : item.test(title));
    let titles: string[] = [];
    await waitFor(`a code action matching ${String(item)} in the Ctrl+. menu`, timeoutMs, async () => {
      if (!(await rows.first().isVisible())) {
        await this.page.keyboard.press('Escape');
        await this.page.keyboard.press('Control+.');
        await rows.first().waitFor({ state: 'visible', timeout: 10_000 }).catch(() => undefined);
      }
      titles = await rows.evaluateAll((elements: DomElement[]) => elements.map((e) => (e.getAttribute('aria-label') ?? e.innerText ?? '').trim()));
      if (titles.some(matches)) {
        return true;
      }
      // The menu shows what was known when it opened: close it, ask again a little later.
      await this.page.keyboard.press('Escape');
      await sleep(2000);
      return undefined;
    }, 0).catch((error: unknown) => {
      throw new Error(`${errorMessage(error)}; the menu listed: ${JSON.stringify(titles)}`, { cause: error });
    });
    return titles;
  }

  /** The titles the Ctrl+. menu at the cursor lists once one matches `item`; closes it again
   * without picking anything. */
  async codeActions(item: string | RegExp, timeoutMs = 60_000): Promise<string[]> {
    const titles = await this.openCodeActions(item, timeoutMs);
    await this.page.keyboard.press('Escape');
    await this.codeActionRows().first().waitFor({ state: 'hidden', timeout: 10_000 });
    return titles;
  }

  /**
   * Opens the quick-fix / lightbulb menu at the cursor (Ctrl+.) and picks the first action
   * whose title matches `item`. Returns every action title the menu listed.
   */
  async quickFix(item: string | RegExp, timeoutMs = 60_000): Promise<string[]> {
    const matches = (title: string): boolean => (typeof item === 'string' ? title.includes(item) : item.test(title));
    const titles = await this.openCodeActions(item, timeoutMs);
    // The keyboard, as the menu's pointer block swallows mouse events until the mouse moves:
    // arrow down to the action (group headers are skipped), then Enter.
    const focused = this.page.locator('.action-widget .monaco-list-row.action.focused');
    for (let presses = 0; ; presses++) {
      const label = ((await focused.first().getAttribute('aria-label', { timeout: 5000 })) ?? '').trim();
      if (matches(label)) {
        break;
      }
      if (presses > titles.length + 1) {
        throw new Error(`could not move to the code action matching ${String(item)} in ${JSON.stringify(titles)}`);
      }
      await this.page.keyboard.press('ArrowDown');
    }
    await this.page.keyboard.press('Enter');
    await this.codeActionRows().first().waitFor({ state: 'hidden', timeout: 10_000 });
    return titles;
  }

  /** Waits until the active editor has unsaved changes (an edit was applied to it). */
  async waitForDirty(timeoutMs = 30_000): Promise<void> {
    try {
      await this.page.locator('.tabs-container .tab.active.dirty').first().waitFor({ timeout: timeoutMs });
    } catch (error) {
      throw new Error(
        `the active editor did not change within ${timeoutMs / 1000} s (the edit was not applied to it: ` +
          'an edit for another URI, a stale document version, or no edit at all)',
        { cause: error },
      );
    }
  }

  /** Saves the active editor (Ctrl+S) and waits until its tab is no longer dirty. */
  async save(timeoutMs = 30_000): Promise<void> {
    await this.page.keyboard.press('Control+S');
    await this.page.locator('.tabs-container .tab.active.dirty').first().waitFor({ state: 'detached', timeout: timeoutMs });
  }

  /** Makes the editor tab titled `name` the active one (and focuses it). */
  async activateTab(name: string, timeoutMs = 20_000): Promise<void> {
    const tab = this.page.locator(`.tabs-container .tab[aria-label^=${css(name)}]`).first();
    await tab.click({ timeout: timeoutMs });
    await this.page.locator(`.tabs-container .tab.active[aria-label^=${css(name)}]`).first().waitFor({ timeout: timeoutMs });
  }

  // --- notifications --------------------------------------------------------------------------

  /** The messages of the notifications on screen (toasts, or the open notification center). */
  async notificationTexts(): Promise<string[]> {
    return this.page
      .locator('.notification-list-item-message')
      .evaluateAll((elements: DomElement[]) => elements.filter((e) => e.offsetParent !== null).map((e) => (e.innerText ?? '').trim()));
  }

  /** A notification whose message contains `text`: a toast, or (a toast hides itself after a
   * while) in the notification center, which this opens when needed. */
  async waitForNotification(text: string, timeoutMs = 60_000): Promise<Locator> {
    const items = this.page.locator('.notification-list-item').filter({ hasText: text });
    let lastCenterCheck = Date.now();
    return waitFor(`a notification saying ${JSON.stringify(text)}`, timeoutMs, async () => {
      const count = await items.count();
      for (let i = 0; i < count; i++) {
        if (await items.nth(i).isVisible()) {
          return items.nth(i);
        }
      }
      if (Date.now() - lastCenterCheck > 5000) {
        lastCenterCheck = Date.now();
        if (!(await this.page.locator('.notifications-center.visible').isVisible())) {
          await this.page.locator('.statusbar-item[id="status.notifications"] a, .statusbar-item[id="status.notifications"]').first().click();
        }
      }
      return undefined;
    });
  }

  /** The button labels of the notification saying `text`. */
  async notificationButtons(text: string, timeoutMs = 60_000): Promise<string[]> {
    const item = await this.waitForNotification(text, timeoutMs);
    const labels = await item.locator('.notification-list-item-buttons-container .monaco-button').allInnerTexts();
    return labels.map((label) => label.trim());
  }

  /** Clicks the button labelled `button` on the notification saying `text`. */
  async clickNotificationButton(text: string, button: string, timeoutMs = 60_000): Promise<void> {
    const item = await this.waitForNotification(text, timeoutMs);
    const target = item.locator('.notification-list-item-buttons-container .monaco-button').filter({ hasText: new RegExp(`^\\s*${button.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`) });
    if (!(await target.first().isVisible())) {
      // A collapsed notification (in the center) shows its buttons when expanded.
      const expand = item.locator('.codicon-notifications-expand');
      if (await expand.first().isVisible()) {
        await expand.first().click();
      }
    }
    try {
      await target.first().click({ timeout: 10_000 });
    } catch (error) {
      const buttons = await item.locator('.monaco-button').allInnerTexts().catch(() => [] as string[]);
      throw new Error(`the notification ${JSON.stringify(text)} has no button ${JSON.stringify(button)}; it has ${JSON.stringify(buttons)}`, { cause: error });
    }
  }

  // --- status bar -----------------------------------------------------------------------------

  /** A status bar item by id: VS Code's own ids (`status.editor.selection`) as they are, an
   * extension's `createStatusBarItem(id)` as `<extension id>.<id>` (both are matched). */
  statusBarItem(id: string): Locator {
    return this.page.locator(`.part.statusbar .statusbar-item[id=${css(id)}], .part.statusbar .statusbar-item[id$=${css(`.${id}`)}]`).first();
  }

  /** Waits until the status bar item's text satisfies `accept`; returns it. */
  async statusBarText(id: string, accept: (text: string) => boolean = (text) => text.length > 0, timeoutMs = 60_000): Promise<string> {
    let last = '(not shown)';
    try {
      return await waitFor(`the status bar item ${id}`, timeoutMs, async () => {
        const item = this.statusBarItem(id);
        if (!(await item.isVisible())) {
          return undefined;
        }
        last = (await item.innerText()).replace(/\s+/g, ' ').trim();
        return accept(last) ? last : undefined;
      });
    } catch (error) {
      throw new Error(`${errorMessage(error)}; it shows ${JSON.stringify(last)}`, { cause: error });
    }
  }

  // --- webviews -------------------------------------------------------------------------------

  /**
   * The document inside the webview whose editor tab's title contains `title`. Webviews are
   * not in the editor's DOM: each is an `iframe.webview` in an overlay that points back at its
   * editor (`data-parent-flow-to-element-id`), with the extension's HTML in a nested
   * `iframe#active-frame`.
   */
  async webview(title: string, timeoutMs = 60_000): Promise<FrameLocator> {
    const tab = this.page.locator('.tabs-container .tab').filter({ hasText: title }).first();
    await tab.waitFor({ timeout: timeoutMs });
    if (!(await tab.evaluate((element: DomElement) => element.classList.contains('active')))) {
      await tab.click();
    }
    const group = this.page.locator('.editor-group-container').filter({ has: tab });
    const anchor = group.locator('[id^="webview-editor-element-"]').first();
    await anchor.waitFor({ state: 'attached', timeout: timeoutMs });
    const anchorId = await anchor.getAttribute('id');
    if (!anchorId) {
      throw new Error(`the editor titled ${JSON.stringify(title)} is not a webview`);
    }
    const outer = this.page.locator(`[data-parent-flow-to-element-id=${css(anchorId)}] iframe.webview`).first();
    await outer.waitFor({ state: 'attached', timeout: timeoutMs });
    const inner = outer.contentFrame().locator('iframe#active-frame').contentFrame();
    await inner.locator('body').waitFor({ state: 'attached', timeout: timeoutMs });
    return inner;
  }

  /** The text of the webview titled `title`, once it has some. */
  async webviewText(title: string, timeoutMs = 60_000): Promise<string> {
    const frame = await this.webview(title, timeoutMs);
    return waitFor(`text in the webview ${JSON.stringify(title)}`, timeoutMs, async () => {
      const text = (await frame.locator('body').innerText()).trim();
      return text ? text : undefined;
    });
  }
}
