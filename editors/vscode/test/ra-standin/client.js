// The stand-in's language client. It behaves like the language client of rust-analyzer's
// editors/code/src/client.ts (createClient and its ExperimentalFeatures), written anew for this
// test: the experimental client capabilities, and the middleware that changes what the server
// is asked and what VS Code is given. README.md lists each behaviour and its source file.
'use strict';

const vscode = require('vscode');
const lc = require('vscode-languageclient/node');

/** textDocument/hover with rust-analyzer's extension: `position` may be a Range (lsp_ext.ts). */
const HOVER_WITH_RANGE = new lc.RequestType('textDocument/hover');

/** The scheme of the read-only view that shows a diagnostic's `data.rendered` (diagnostics.ts). */
const RENDERED_VIEW_SCHEME = 'rust-analyzer-diagnostics-view';

/** What the client advertises under `experimental` (client.ts, ExperimentalFeatures). With
 * colorDiagnosticOutput rust-analyzer runs `cargo check` with
 * --message-format=json-diagnostic-rendered-ansi, so `data.rendered` carries ANSI colours.
 * There is no `hoverRange` here: that is a server capability (docs/dev/lsp-extensions.md,
 * "Hover Range"); the client sends a Range whether or not the server announced it. */
const EXPERIMENTAL = {
  snippetTextEdit: true,
  codeActionGroup: true,
  hoverActions: true,
  serverStatusNotification: true,
  colorDiagnosticOutput: true,
  openServerLogs: true,
  localDocs: true,
  testExplorer: false,
  commands: {
    commands: [
      'rust-analyzer.runSingle',
      'rust-analyzer.debugSingle',
      'rust-analyzer.showReferences',
      'rust-analyzer.gotoLocation',
      'rust-analyzer.triggerParameterHints',
      'rust-analyzer.rename',
    ],
  },
};

/** A static client feature that only adds to the client capabilities. */
function capabilitiesFeature(fill) {
  return {
    getState: () => ({ kind: 'static' }),
    fillClientCapabilities: fill,
    initialize: () => undefined,
    dispose: () => undefined,
    clear: () => undefined,
  };
}

// The command links of the hover shown last, by index (hover actions are rendered as links to
// rust-analyzer.hoverRefCommandProxy with the index as argument).
let hoverCommands = [];

function hoverActionsMarkdown(groups) {
  hoverCommands = [];
  const link = (command) => {
    hoverCommands.push(command);
    return `[${command.title}](command:rust-analyzer.hoverRefCommandProxy?${hoverCommands.length - 1} '${command.tooltip}')`;
  };
  const parts = groups.map((group) => `${group.title ? `${group.title} ` : ''}${group.commands.map(link).join(' | ')}`);
  const markdown = new vscode.MarkdownString(parts.join(' | '));
  markdown.isTrusted = true;
  return markdown;
}

function hoverReferenceCommand(index) {
  return hoverCommands[index];
}

/** rust-analyzer's assert (util.ts) throws; in the code-action callback that rejects the whole
 * answer, so VS Code lists none of it. */
function check(condition, message) {
  if (!condition) {
    throw new Error(`Assertion failed: ${message}`);
  }
}

const isString = (value) => typeof value === 'string';

/** An assist still to be resolved: a title, maybe a kind, group and diagnostics, and neither an
 * edit nor a command. */
function checkUnresolved(item) {
  check(
    item !== null && typeof item === 'object' && isString(item.title) &&
      (item.diagnostics === undefined || (Array.isArray(item.diagnostics) && item.diagnostics.every((d) => lc.Diagnostic.is(d)))) &&
      (item.group === undefined || isString(item.group)) &&
      (item.kind === undefined || isString(item.kind)) &&
      item.edit === undefined && item.command === undefined,
    `Expected a CodeAction without edits or commands, got: ${JSON.stringify(item)}`,
  );
}

/**
 * The language client for `serverOptions`.
 * @param {vscode.OutputChannel} traceOutputChannel
 * @param {vscode.OutputChannel} outputChannel
 * @param {unknown} initializationOptions
 * @param {lc.ServerOptions} serverOptions
 * @param {import('./config').Config} config
 */
function createClient(traceOutputChannel, outputChannel, initializationOptions, serverOptions, config) {
  /** The code actions of one answer, as VS Code gets them. */
  async function toVscodeActions(values, token) {
    if (values === null) {
      return undefined;
    }
    const actions = [];
    const groups = new Map(); // group name -> { first: CodeAction, more: {label, arguments}[] }
    for (const item of values) {
      if (lc.CodeAction.is(item)) {
        // A resolved action (it has an edit): a command on it fails the assertion.
        check(!item.command, "We don't expect to receive commands in CodeActions");
        actions.push(await client.protocol2CodeConverter.asCodeAction(item, token));
        continue;
      }
      checkUnresolved(item);
      const resolveOnPick = () => {
        const action = new vscode.CodeAction(item.title, client.protocol2CodeConverter.asCodeActionKind(item.kind));
        action.command = { command: 'rust-analyzer.resolveCodeAction', title: item.title, arguments: [item] };
        action.edit = new vscode.WorkspaceEdit(); // empty, so that VS Code resolves nothing itself
        return action;
      };
      if (!item.group) {
        actions.push(resolveOnPick());
      } else if (groups.has(item.group)) {
        groups.get(item.group).more.push({ label: item.title, arguments: item });
      } else {
        groups.set(item.group, { first: resolveOnPick(), more: [] });
      }
    }
    for (const [name, { first, more }] of groups) {
      if (more.length > 0) {
        const choices = [{ label: first.title, arguments: first.command.arguments[0] }, ...more];
        first.title = name;
        first.command = { command: 'rust-analyzer.applyActionGroup', title: '', arguments: [choices] };
      }
      actions.push(first);
    }
    return actions;
  }

  /** @type {lc.Middleware} */
  const middleware = {
    workspace: {
      async didChangeWatchedFile(event, next) {
        if (client.isRunning()) {
          await next(event);
        }
      },
      // Only the `rust-analyzer` section is answered, any other gets null: stricter than
      // client.ts as stored (it answers every section), as some releases are reported to be,
      // and the behaviour borrowlens has to live with either way.
      async configuration(params, token, next) {
        const answers = await next(params, token);
        if (!Array.isArray(answers)) {
          return answers;
        }
        return params.items.map((item, index) => (item.section === 'rust-analyzer' ? answers[index] : null));
      },
    },
    // Each diagnostic that has data.rendered gets a code linking to a read-only view of it.
    // (With diagnostics.previewRustcOutput, off by default, the message is replaced too.)
    handleDiagnostics(uri, diagnostics, next) {
      diagnostics.forEach((diagnostic, index) => {
        if (!diagnostic.data?.rendered) {
          return;
        }
        const code = diagnostic.code;
        const value = typeof code === 'string' || typeof code === 'number' ? code : code?.value;
        diagnostic.code = {
          value: config.useRustcErrorCode && value ? value : 'Click for full compiler diagnostic',
          target: vscode.Uri.from({
            scheme: RENDERED_VIEW_SCHEME,
            path: `/diagnostic message [${index}]`,
            fragment: uri.toString(),
            query: String(index),
          }),
        };
      });
      return next(uri, diagnostics);
    },
    // Hovering inside the editor's selection (an empty selection is the cursor: Ctrl+K Ctrl+I,
    // or the mouse where one just clicked) asks for the hover of the selection's Range.
    async provideHover(document, position, token) {
      const selection = vscode.window.activeTextEditor?.selection;
      const c2p = client.code2ProtocolConverter;
      const params = {
        textDocument: c2p.asTextDocumentIdentifier(document),
        position: selection?.contains(position) ? c2p.asRange(selection) : c2p.asPosition(position),
      };
      try {
        const answer = await client.sendRequest(HOVER_WITH_RANGE, params, token);
        if (!answer) {
          return null;
        }
        const shown = client.protocol2CodeConverter.asHover(answer);
        if (answer.actions) {
          shown.contents.push(hoverActionsMarkdown(answer.actions));
        }
        return shown;
      } catch (error) {
        return client.handleFailedRequest(lc.HoverRequest.type, token, error, null);
      }
    },
    // The code actions are asked for and converted here, not by vscode-languageclient.
    async provideCodeActions(document, range, context, token) {
      const c2p = client.code2ProtocolConverter;
      const params = {
        textDocument: c2p.asTextDocumentIdentifier(document),
        range: c2p.asRange(range),
        context: await c2p.asCodeActionContext(context, token),
      };
      return client.sendRequest(lc.CodeActionRequest.type, params, token)
        .then((values) => toVscodeActions(values, token), () => undefined);
    },
  };

  const client = new lc.LanguageClient('rust-analyzer', 'Rust Analyzer Language Server', serverOptions, {
    documentSelector: [{ scheme: 'file', language: 'rust' }],
    initializationOptions,
    diagnosticCollectionName: 'rustc',
    traceOutputChannel,
    outputChannel,
    middleware,
    markdown: { supportHtml: true },
  });
  client.registerFeature(capabilitiesFeature((capabilities) => {
    capabilities.experimental = { ...EXPERIMENTAL, ...capabilities.experimental };
  }));
  // VS Code's TextMate grammar is not to be augmented by semantic tokens.
  client.registerFeature(capabilitiesFeature((capabilities) => {
    if (capabilities.textDocument?.semanticTokens) {
      capabilities.textDocument.semanticTokens.augmentsSyntaxTokens = false;
    }
  }));
  return client;
}

module.exports = { createClient, hoverReferenceCommand };
