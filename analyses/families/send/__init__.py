"""Families of rustc's "future cannot be sent between threads safely": one shared analysis of the
non-`Send` value, the await it lives across and the bound that asked for `Send`."""
