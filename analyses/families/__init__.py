"""The error families, one module each; see `base` for what a family provides."""
