// The VS Code client of `yakkan lsp`: starts the server over stdio for .yk files. Everything
// else (diagnostics, hover, completion, navigation, rename, formatting, highlighting, quick
// fixes) is the server's; syntaxes/yakkan.tmLanguage.json colours the file until it answers.
const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client;

exports.activate = function activate(context) {
  const config = vscode.workspace.getConfiguration('yakkan');
  const args = [...config.get('server.args', ['lsp'])];
  const sources = config.get('sources', '');
  if (sources) args.push('--sources', sources);
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const server = {
    command: config.get('server.command', 'yakkan'),
    args,
    transport: TransportKind.stdio,
    options: folder ? { cwd: folder } : {},
  };
  client = new LanguageClient('yakkan', 'yakkan', server, {
    documentSelector: [
      { scheme: 'file', language: 'yakkan' },
      { scheme: 'untitled', language: 'yakkan' },
    ],
  });
  context.subscriptions.push(client);
  return client.start();
};

exports.deactivate = function deactivate() {
  return client ? client.stop() : undefined;
};
