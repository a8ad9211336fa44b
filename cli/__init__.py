"""The `borrowlens` command's terminal front door: `check`, `fix`, `explain` and `doctor`.

Installed as `borrowlens.cli`. It runs cargo through `borrowlens.server.cargo`, hands the
diagnostics to the pure core in `borrowlens.analyses`, and prints for a terminal or for tools
(`--format json`). `entry` is the console script, which sends everything that is not one of
these commands to the language server (`borrowlens.server.entry`).
"""
