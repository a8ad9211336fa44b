"""Explanations: how a recognised diagnostic is told (hover, explain view, terminal)."""
