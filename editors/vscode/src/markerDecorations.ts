/**
 * Puts the markers of the explained error under the cursor (markers.ts) on screen as inline
 * decorations after their lines, in every visible editor of the file they are in, and takes
 * them away when the cursor leaves the error, the error goes away or another editor becomes
 * active. `borrowlens.markers.enabled` turns them off.
 */

import * as vscode from "vscode";

import { markerLines, markersAt } from "./markers";
import type { Marker } from "./protocol";

const SETTING = "markers.enabled";

export class MarkerDecorations implements vscode.Disposable {
  private readonly type = vscode.window.createTextEditorDecorationType({
    after: {
      // The colour of code lenses and inlay hints: beside the code, not competing with it.
      color: new vscode.ThemeColor("editorCodeLens.foreground"),
      fontStyle: "italic",
      margin: "0 0 0 2em",
    },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  private readonly subscriptions: vscode.Disposable[];
  /** The visible editors that show markers now, to clear them when the markers change. */
  private decorated = new Set<vscode.TextEditor>();

  constructor() {
    const update = (): void => this.update();
    this.subscriptions = [
      vscode.window.onDidChangeTextEditorSelection(update),
      vscode.window.onDidChangeActiveTextEditor(update),
      vscode.window.onDidChangeVisibleTextEditors(update),
      vscode.languages.onDidChangeDiagnostics(update),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration(`borrowlens.${SETTING}`)) {
          update();
        }
      }),
    ];
    update();
  }

  private current(): Marker[] {
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.document.languageId !== "rust"
      || !vscode.workspace.getConfiguration("borrowlens").get<boolean>(SETTING, true)) {
      return [];
    }
    return markersAt(vscode.languages.getDiagnostics(editor.document.uri), editor.selection.active);
  }

  private update(): void {
    const markers = this.current();
    const now = new Set<vscode.TextEditor>();
    for (const editor of vscode.window.visibleTextEditors) {
      const document = editor.document;
      const shown = document.uri.toString();
      const lines = markerLines(markers, (uri) => vscode.Uri.parse(uri).toString() === shown)
        .filter(({ line }) => line < document.lineCount);
      if (lines.length === 0) {
        if (this.decorated.has(editor)) {
          editor.setDecorations(this.type, []);
        }
        continue;
      }
      editor.setDecorations(this.type, lines.map(({ line, text }) => {
        const end = document.lineAt(line).range.end;
        return { range: new vscode.Range(end, end), renderOptions: { after: { contentText: text } } };
      }));
      now.add(editor);
    }
    // An editor no longer visible keeps nothing: VS Code makes a new one when it is shown again.
    this.decorated = now;
  }

  dispose(): void {
    for (const subscription of this.subscriptions) {
      subscription.dispose();
    }
    this.type.dispose();
  }
}
