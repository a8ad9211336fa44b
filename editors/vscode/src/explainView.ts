/**
 * The explain view: one webview panel beside the editor showing the full explanation of the
 * error at the cursor (asked of the server with `borrowlens.explain`), and the hover link that
 * opens it. Which diagnostic is meant is decided in diagnostics.ts.
 */

import * as crypto from "node:crypto";
import * as path from "node:path";
import * as vscode from "vscode";

import { explainedDiagnostics, pickDiagnostic } from "./diagnostics";
import { EXPLAIN_COMMAND, NO_EXPLANATION, type ExplainArguments } from "./protocol";
import { codeExcerpt, explanationTitle, insertAfterSummary, renderPage } from "./render";

export const EXPLAIN_AT_CURSOR = "borrowlens.explainAtCursor";

export class ExplainView {
  private panel: vscode.WebviewPanel | undefined;

  constructor(private readonly log: (line: string) => void) {}

  /** Explains the recognised error at `position` (the cursor when not given). */
  async explain(uri?: vscode.Uri, position?: vscode.Position): Promise<boolean> {
    const editor = vscode.window.activeTextEditor;
    const documentUri = uri ?? editor?.document.uri;
    const at = position ?? editor?.selection.active;
    if (!documentUri || !at) {
      void vscode.window.showInformationMessage("Borrow Lens: open a Rust file and put the cursor on an error.");
      return false;
    }
    const diagnostic = pickDiagnostic(explainedDiagnostics(vscode.languages.getDiagnostics(documentUri)), at);
    if (!diagnostic) {
      void vscode.window.showInformationMessage(
        "Borrow Lens: no error borrowlens explains here. Errors it explains have “borrowlens:” in their message.");
      return false;
    }
    const commands = await vscode.commands.getCommands(true);
    if (!commands.includes(EXPLAIN_COMMAND)) {
      void vscode.window.showWarningMessage("Borrow Lens: the borrowlens server is not running.");
      return false;
    }
    const start = diagnostic.range.start;
    let text: unknown;
    const args: ExplainArguments = [documentUri.toString(), { line: start.line, character: start.character }];
    try {
      text = await vscode.commands.executeCommand(EXPLAIN_COMMAND, ...args);
    } catch (error) {
      this.log(`borrowlens.explain failed: ${String(error)}`);
      void vscode.window.showErrorMessage(`Borrow Lens: the server could not explain this error (${String(error)}).`);
      return false;
    }
    if (typeof text !== "string") {
      return false;
    }
    if (text === NO_EXPLANATION) {
      void vscode.window.showInformationMessage(`Borrow Lens: ${text}`);
      return false;
    }
    const document = await vscode.workspace.openTextDocument(documentUri);
    const lines = document.getText().split(/\r?\n/);
    const marks = [start.line, ...(diagnostic.relatedInformation ?? [])
      .filter((r) => r.location.uri.toString() === documentUri.toString())
      .map((r) => r.location.range.start.line)];
    const page = insertAfterSummary(text, codeExcerpt(lines, marks));
    const folder = vscode.workspace.getWorkspaceFolder(documentUri);
    const file = folder ? path.relative(folder.uri.fsPath, documentUri.fsPath) : documentUri.fsPath;
    this.show(page, `${file}:${start.line + 1}:${start.character + 1}`);
    return true;
  }

  private show(text: string, location: string): void {
    const title = `Borrow Lens: ${explanationTitle(text)}`;
    if (!this.panel) {
      this.panel = vscode.window.createWebviewPanel("borrowlens.explain", title,
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
        { enableScripts: false, enableFindWidget: true, localResourceRoots: [] });
      this.panel.onDidDispose(() => { this.panel = undefined; });
    } else {
      this.panel.title = title;
      this.panel.reveal(vscode.ViewColumn.Beside, true);
    }
    const nonce = crypto.randomBytes(16).toString("base64");
    this.panel.webview.html = renderPage(text, { location, cspSource: this.panel.webview.cspSource, nonce });
  }

  dispose(): void {
    this.panel?.dispose();
  }
}

/** Adds "Open the full explanation" to the hover of every error borrowlens explains. */
export class ExplainHover implements vscode.HoverProvider {
  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const found = explainedDiagnostics(vscode.languages.getDiagnostics(document.uri))
      .filter((d) => d.range.contains(position));
    if (found.length === 0) {
      return undefined;
    }
    const start = found[0].range.start;
    const args = encodeURIComponent(JSON.stringify([document.uri.toString(), start.line, start.character]));
    const link = new vscode.MarkdownString(
      `[$(book) Open the full explanation](command:${EXPLAIN_AT_CURSOR}?${args} "Borrow Lens: Explain Error at Cursor")`,
      true);
    link.isTrusted = { enabledCommands: [EXPLAIN_AT_CURSOR] };
    return new vscode.Hover(link, found[0].range);
  }
}
