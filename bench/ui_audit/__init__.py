"""The audit of borrowlens' recognition on rustc-UI-test-shaped errors (issue 11): see
README.md beside this file."""
