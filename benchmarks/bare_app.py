"""The baseline for the ack benchmark: a Bolt app that only acks /threat and opens a one-block
modal, served by the same waitress + WSGI setup as CARE bot."""

from __future__ import annotations

import os

from slack_bolt import App
from waitress import serve

from care_bot.runtime.server import build_wsgi_app
from care_bot.slack_api import build_client

MODAL = {
    "type": "modal",
    "title": {"type": "plain_text", "text": "Bare"},
    "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Hello"}}],
}


def main() -> None:
    """Serve the bare app on PORT until killed."""
    client = build_client(os.environ["SLACK_BOT_TOKEN"], os.environ["SLACK_API_URL"])
    app = App(signing_secret=os.environ["SLACK_SIGNING_SECRET"], client=client,
              token_verification_enabled=False)

    @app.command("/threat")
    def threat(ack, command):
        ack()
        client.views_open(trigger_id=command["trigger_id"], view=MODAL)

    wsgi = build_wsgi_app(app, lambda: True, signing_secret=os.environ["SLACK_SIGNING_SECRET"])
    serve(wsgi, host="127.0.0.1", port=int(os.environ["PORT"]), threads=16, _quiet=True)


if __name__ == "__main__":
    main()
