// A stand-in for the rust-analyzer VS Code extension (rust-lang.rust-analyzer), for borrowlens'
// end-to-end tests only: see README.md. Plain JavaScript, no build step.
'use strict';

const path = require('path');
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

/** @type {LanguageClient | undefined} */
let client;
/** @type {vscode.ExtensionContext | undefined} */
let extensionContext;
/** @type {vscode.OutputChannel | undefined} */
let outputChannel;

/** The server command and environment, read from the settings now (as the real one does). */
function serverExecutable(context) {
  const config = vscode.workspace.getConfiguration('rust-analyzer');
  const configured = config.get('server.path');
  const command = typeof configured === 'string' && configured.trim() !== ''
    ? configured
    : path.join(context.extensionPath, 'server', 'rust-analyzer');
  const env = { ...process.env };
  const extraEnv = config.get('server.extraEnv') || {};
  for (const [key, value] of Object.entries(extraEnv)) {
    if (value === null || value === undefined) {
      delete env[key];
    } else {
      env[key] = String(value);
    }
  }
  return { command, options: { env } };
}

async function start(context) {
  const executable = serverExecutable(context);
  outputChannel.appendLine(`[stand-in] starting ${executable.command}`);
  const created = new LanguageClient(
    'rust-analyzer',
    'Rust Analyzer Language Server',
    { run: executable, debug: executable },
    {
      documentSelector: [{ scheme: 'file', language: 'rust' }],
      outputChannel,
    },
  );
  client = created;
  await created.start();
}

async function stop() {
  const running = client;
  client = undefined;
  if (running) {
    try {
      await running.stop();
    } catch (error) {
      outputChannel.appendLine(`[stand-in] stop failed: ${error}`);
    }
    try {
      await running.dispose();
    } catch {
      // already stopped
    }
  }
}

/** @param {vscode.ExtensionContext} context */
async function activate(context) {
  extensionContext = context;
  outputChannel = vscode.window.createOutputChannel('Rust Analyzer Language Server');
  context.subscriptions.push(outputChannel);
  context.subscriptions.push(
    vscode.commands.registerCommand('rust-analyzer.restartServer', async () => {
      outputChannel.appendLine('[stand-in] rust-analyzer.restartServer');
      await stop();
      await start(extensionContext);
    }),
  );
  try {
    await start(context);
  } catch (error) {
    void vscode.window.showErrorMessage(`rust-analyzer stand-in failed to start: ${error}`);
  }
  // The shape of the real extension's exported RustAnalyzerExtensionApi.
  return {
    get client() {
      return client;
    },
  };
}

async function deactivate() {
  await stop();
}

module.exports = { activate, deactivate };
