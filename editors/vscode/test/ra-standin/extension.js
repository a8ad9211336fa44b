// A stand-in for the rust-analyzer VS Code extension (rust-lang.rust-analyzer), for borrowlens'
// end-to-end tests only: see README.md. Plain JavaScript, no build step. This file does what
// rust-analyzer's editors/code/src/main.ts does (activate, the command table) and the few
// commands of its commands.ts that the client's middleware needs.
'use strict';

const vscode = require('vscode');
const lc = require('vscode-languageclient/node');

const { hoverReferenceCommand } = require('./client');
const { Config } = require('./config');
const { Ctx } = require('./ctx');

/** A protocol WorkspaceEdit as a VS Code one; snippet edits (insertTextFormat 2, which the
 * server may send as snippetTextEdit is advertised) as SnippetTextEdits. */
function toWorkspaceEdit(client, edit) {
  const result = new vscode.WorkspaceEdit();
  const add = (uri, edits) => {
    result.set(client.protocol2CodeConverter.asUri(uri), edits.map((e) => {
      const range = client.protocol2CodeConverter.asRange(e.range);
      return e.insertTextFormat === 2
        ? new vscode.SnippetTextEdit(range, new vscode.SnippetString(e.newText))
        : vscode.TextEdit.replace(range, e.newText);
    }));
  };
  for (const change of edit.documentChanges ?? []) {
    if ('kind' in change) {
      continue; // file operations: rust-analyzer's assists in these tests make none
    }
    add(change.textDocument.uri, change.edits);
  }
  for (const [uri, edits] of Object.entries(edit.changes ?? {})) {
    add(uri, edits);
  }
  return result;
}

/** The command table (main.ts: createCommands): `enabled` while the server runs. */
function commands() {
  return {
    restartServer: {
      enabled: (ctx) => async () => {
        await ctx.restart();
      },
      disabled: (ctx) => async () => {
        await ctx.start();
      },
    },
    startServer: {
      enabled: (ctx) => async () => {
        await ctx.start();
      },
      disabled: (ctx) => async () => {
        await ctx.start();
      },
    },
    stopServer: {
      enabled: (ctx) => async () => {
        await ctx.stopAndDispose();
      },
      disabled: () => async () => undefined,
    },
    // An assist picked from Ctrl+. is resolved with the server, then its edit applied.
    resolveCodeAction: {
      enabled: (ctx) => async (action) => {
        const client = ctx.client;
        const resolved = await client.sendRequest(lc.CodeActionResolveRequest.type, { ...action, command: undefined });
        if (resolved?.edit) {
          await vscode.workspace.applyEdit(toWorkspaceEdit(client, resolved.edit));
        }
        if (resolved?.command) {
          await vscode.commands.executeCommand(resolved.command.command, ...(resolved.command.arguments ?? []));
        }
      },
    },
    applyActionGroup: {
      enabled: () => async (choices) => {
        const picked = await vscode.window.showQuickPick(choices);
        if (picked) {
          await vscode.commands.executeCommand('rust-analyzer.resolveCodeAction', picked.arguments);
        }
      },
    },
    hoverRefCommandProxy: {
      enabled: () => async (index) => {
        const link = hoverReferenceCommand(index);
        if (link) {
          await vscode.commands.executeCommand(link.command, ...(link.arguments ?? []));
        }
      },
    },
  };
}

/** @param {vscode.ExtensionContext} context */
async function activate(context) {
  const config = new Config(context.subscriptions);
  const ctx = new Ctx(context, config, commands());
  try {
    // Every settings change is announced to the server, which then asks for its section.
    vscode.workspace.onDidChangeConfiguration(async () => {
      await ctx.client?.sendNotification(lc.DidChangeConfigurationNotification.type, { settings: '' });
    }, null, context.subscriptions);
    // The API is returned only once the server has started: until then the extension is
    // activating and its `exports` are undefined. A server that fails to start fails the
    // activation.
    await ctx.start();
  } catch (error) {
    void vscode.window.showErrorMessage(`Cannot activate rust-analyzer extension: ${error.message}`);
    throw error;
  }
  return ctx;
}

function deactivate() {}

module.exports = { activate, deactivate };
