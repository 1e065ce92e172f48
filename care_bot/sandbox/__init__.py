"""The sandbox: CARE bot in a browser, against a local stand-in for Slack (no workspace needed)."""
