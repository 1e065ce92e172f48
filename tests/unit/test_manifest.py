"""The Slack app manifest: what Slack shows without the bot stays within Slack's limits."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

MANIFEST = Path(__file__).resolve().parents[2] / "config" / "manifest.yaml"
# Slack's manifest schema limits, and the width Slack's autocomplete shows without cutting.
COMMAND_LIMITS = {"command": 32, "description": 2000, "usage_hint": 1000}
SHORTCUT_LIMITS = {"name": 24, "description": 150}
AUTOCOMPLETE_WIDTH = 100


@pytest.fixture(scope="module")
def manifest() -> dict:
    """The parsed manifest."""
    return yaml.safe_load(MANIFEST.read_text())


def test_manifest_threat_command_carries_the_emergency_line(manifest):
    """Slack shows /threat's description even when CARE bot is down: it says call 911 first."""
    (threat,) = [c for c in manifest["features"]["slash_commands"] if c["command"] == "/threat"]
    assert "In danger? Call 911 first." in threat["description"]
    assert "911" in threat["usage_hint"]


def test_manifest_command_texts_fit_slack_limits(manifest):
    """Every slash command's texts fit Slack's limits and the autocomplete's width."""
    for command in manifest["features"]["slash_commands"]:
        for key, limit in COMMAND_LIMITS.items():
            assert 0 < len(command.get(key, "x")) <= limit, (command["command"], key)
        assert len(command["description"]) <= AUTOCOMPLETE_WIDTH
        assert len(command.get("usage_hint", "")) <= AUTOCOMPLETE_WIDTH


def test_manifest_shortcut_texts_fit_slack_limits(manifest):
    """Shortcut names and descriptions, where declared, fit Slack's limits."""
    for shortcut in manifest["features"].get("shortcuts", []):
        for key, limit in SHORTCUT_LIMITS.items():
            assert 0 < len(shortcut[key]) <= limit, (shortcut["callback_id"], key)
