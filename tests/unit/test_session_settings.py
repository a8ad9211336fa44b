"""The server's settings: the `borrowlens` section a client sends, and the environment
defaults the VS Code extension uses when it routes the rust-analyzer extension through
borrowlens (that extension can only pass `server.extraEnv`)."""

from __future__ import annotations

import logging

import pytest

from borrowlens.server.protocol import Settings


def test_defaults_without_environment() -> None:
    settings = Settings.from_environ({})
    assert (settings.summary_in_message, settings.hover, settings.explanation) == (
        True, True, "short")


def test_environment_sets_each_setting() -> None:
    settings = Settings.from_environ({"BORROWLENS_SUMMARY_IN_MESSAGE": "false",
                                      "BORROWLENS_HOVER": "0",
                                      "BORROWLENS_EXPLANATION": "FULL"})
    assert (settings.summary_in_message, settings.hover, settings.explanation) == (
        False, False, "full")


def test_bad_environment_values_are_ignored_with_a_warning(
        caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="borrowlens"):
        settings = Settings.from_environ({"BORROWLENS_SUMMARY_IN_MESSAGE": "maybe",
                                          "BORROWLENS_EXPLANATION": "medium"})
    assert settings.summary_in_message is True and settings.explanation == "short"
    assert "BORROWLENS_SUMMARY_IN_MESSAGE" in caplog.text
    assert "BORROWLENS_EXPLANATION" in caplog.text


def test_client_section_overrides_environment() -> None:
    settings = Settings.from_environ({"BORROWLENS_EXPLANATION": "full"})
    settings.update({"explanation": "short", "summaryInMessage": False})
    assert settings.explanation == "short" and settings.summary_in_message is False
