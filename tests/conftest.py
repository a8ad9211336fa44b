"""Makes tests/support importable as `support` for every test layer."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
