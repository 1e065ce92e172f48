"""Config errors never echo a value (or a key) that looks like a token or secret, anywhere."""

from __future__ import annotations

import copy
import json
import tomllib
from pathlib import Path

import pytest

from care_bot.config import ConfigError, load_settings

REPO = Path(__file__).resolve().parents[2]
TOKENS = (
    "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp",
    "xapp-1-A0123-456-abcdef",
    "8f742231b10e8888abcd99aaabbb85a5",
)


def _shipped() -> dict:
    document = tomllib.loads((REPO / "config" / "care.toml").read_text())
    # The optional settings the shipped file leaves commented out.
    document["channels"]["hr"] = "C0000000003"
    document["digest"]["timezone"] = "UTC"
    document["support"]["security_phone"] = "+1 555 010 0199"
    document["monitoring"]["heartbeat_url"] = "https://hc.example/abc"
    return document


def _render(document: dict) -> str:
    lines: list[str] = []

    def table(name: str, values: dict) -> None:
        lines.append(f"[{name}]")
        lines.extend(f"{json.dumps(k)} = {json.dumps(v)}" for k, v in values.items()
                     if not isinstance(v, dict))
        for key, value in values.items():
            if isinstance(value, dict):
                table(f"{name}.{json.dumps(key)}", value)

    for name, values in document.items():
        table(json.dumps(name), values)
    return "\n".join(lines)


def _leaves(document: dict, path: tuple = ()):
    for key, value in document.items():
        if isinstance(value, dict):
            yield from _leaves(value, (*path, key))
        else:
            yield (*path, key)


def _cases():
    document = _shipped()
    for token in TOKENS:
        for path in _leaves(document):
            for value in (token, [token]):
                changed = copy.deepcopy(document)
                target = changed
                for part in path[:-1]:
                    target = target[part]
                target[path[-1]] = value
                yield ".".join(path), token, changed
        for name in document:
            changed = copy.deepcopy(document)
            changed[name][token] = "x"  # a key pasted from a secret
            yield f"{name}.<key>", token, changed


def _message(tmp_path: Path, toml_text: str | None, **env: str) -> str:
    config = tmp_path / "care.toml"
    if toml_text is not None:
        config.write_text(toml_text)
    environ = {"SLACK_BOT_TOKEN": "xoxb-bot", "SLACK_SIGNING_SECRET": "s",
               "CARE_CONFIG": str(config), "CARE_DB_PATH": str(tmp_path / "care.db"), **env}
    try:
        load_settings(environ)
    except ConfigError as error:
        return str(error) + repr(error.problems)
    return ""


@pytest.mark.parametrize(("where", "token", "document"), list(_cases()),
                         ids=lambda v: v if isinstance(v, str) and len(v) < 40 else "")
def test_config_error_never_echoes_a_token_in_any_setting(tmp_path, where, token, document):
    """Each setting (and each table's keys) given a token-like value: it is never shown."""
    message = _message(tmp_path, _render(document))
    assert token not in message, where
    assert token[:16] not in message, where


@pytest.mark.parametrize("token", TOKENS)
def test_config_error_never_echoes_a_token_given_as_care_config(tmp_path, token):
    """A token pasted into CARE_CONFIG: the error says the file is missing, not the token."""
    message = _message(tmp_path, None, CARE_CONFIG=token)
    assert "does not exist" in message
    assert token not in message


def test_config_error_names_a_plain_missing_path(tmp_path):
    """An ordinary path is still named, so the operator knows which file to fix."""
    missing = tmp_path / "nowhere" / "care.toml"
    assert f"CARE_CONFIG file '{missing}' does not exist" in _message(
        tmp_path, None, CARE_CONFIG=str(missing))
