"""`python -m bench.ui_audit`: see audit.py."""

from bench.ui_audit.audit import main

raise SystemExit(main())
