/**
 * The `vscode:uninstall` hook: VS Code runs it with plain Node once the extension is
 * uninstalled (after a restart). It puts back the rust-analyzer settings borrowlens routed,
 * in case the extension could not undo them itself (it does on deactivation).
 */

import { ledgerFile, unrouteAll } from "./ledger";

unrouteAll(ledgerFile(), (line) => console.log(line));
