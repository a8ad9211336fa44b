"""Fixes: text edits, the `use`-line engine, statement and block rewrites, the rewrites
themselves (Rc->Arc, guards, lifetimes, higher-ranked bounds, spawn, ...) and the gate that
checks every edit before it is offered."""
