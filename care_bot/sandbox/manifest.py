"""Read the slash commands and shortcuts the app offers from config/manifest.yaml.

The manifest is simple YAML; this reads only the two lists the sandbox page needs, so the
sandbox adds no YAML dependency. Each item comes back as a dict of its scalar keys.
"""

from __future__ import annotations

import re
from pathlib import Path

_LIST_START = re.compile(r"^(\s*)(slash_commands|shortcuts):\s*(#.*)?$")
_PAIR = re.compile(r"^\s*(?:-\s+)?([a-z_]+):\s*(.*?)\s*$")


def _scalar(raw: str) -> str:
    raw = re.sub(r"\s+#.*$", "", raw)
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
        return raw[1:-1]
    return raw


def read_features(path: Path) -> dict[str, list[dict[str, str]]]:
    """Return {"slash_commands": [...], "shortcuts": [...]} from the manifest at `path`."""
    features: dict[str, list[dict[str, str]]] = {"slash_commands": [], "shortcuts": []}
    current: list | None = None
    indent = 0
    for line in path.read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        start = _LIST_START.match(line)
        if start:
            current, indent = features[start.group(2)], len(start.group(1))
            continue
        if current is None:
            continue
        if len(line) - len(line.lstrip()) <= indent and not line.lstrip().startswith("-"):
            current = None
            continue
        pair = _PAIR.match(line)
        if not pair:
            continue
        if line.lstrip().startswith("-") or not current:
            current.append({})
        current[-1][pair.group(1)] = _scalar(pair.group(2))
    return features
