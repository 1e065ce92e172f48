"""People of concern, notices and orders: the buttons and modals security and branches use."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from care_bot.flows import lookout, orders, people, person_page
from care_bot.ids import Action, Block, Callback, record_id
from care_bot.listeners.guard import after_ack_guard
from care_bot.services import Services
from care_bot.views.forms import read_answers

logger = logging.getLogger(__name__)
NOT_SECURITY = "Only Corporate Security & Risk can do this."


def _value(body: dict) -> int:
    try:
        return record_id(body["actions"][0].get("value")) or 0
    except (KeyError, IndexError, TypeError, AttributeError):
        return 0


def _person(body: dict) -> int:
    return record_id((body.get("view") or {}).get("private_metadata")) or 0


def _values(body: dict) -> dict:
    return ((body.get("view") or {}).get("state") or {}).get("values") or {}


def _tell(services: Services, body: dict, text: str | None) -> None:
    """Say something only to the clicker: ephemeral in a channel, else a DM."""
    if not text:
        return
    user = body["user"]["id"]
    channel = (body.get("channel") or {}).get("id") or ""
    try:
        if channel and not channel.startswith("D"):
            services.slack.post_ephemeral(channel, user, text)
            return
    except SlackApiError as error:
        logger.info("ephemeral refused (%s); sending a DM", error.response.get("error"))
    services.slack.post(services.slack.open_dm(user), {"text": text})


def _push(services: Services, body: dict, view: dict | None, refusal: str) -> None:
    if view is None:
        _tell(services, body, refusal)
        return
    try:
        services.slack.push_view(body["trigger_id"], view)
    except SlackApiError as error:
        logger.warning("views.push failed: %s", error.response.get("error"))
        _tell(services, body, "Slack did not open that in time. Please try again.")


def _answer(ack, result: dict) -> None:
    if "errors" in result:
        ack(response_action="errors", errors=result["errors"])
    else:
        ack(response_action="update", view=result["view"])


def register(app, services: Services) -> None:
    """Attach the people-of-concern listeners."""
    guard = after_ack_guard(services)

    @app.action(Action.OPEN_PERSON.value)
    @guard
    def open_person(ack, body):
        ack()
        page = person_page.open_by_id(services, body["user"]["id"], _value(body))
        _push(services, body, page.view, page.message or "")

    @app.action(Action.LINK_CONFIRM.value)
    @guard
    def link_confirm(ack, body):
        refusal = people.decide(services, body["user"]["id"], _value(body), True)
        ack()
        _tell(services, body, refusal)

    @app.action(Action.LINK_REJECT.value)
    @guard
    def link_reject(ack, body):
        refusal = people.decide(services, body["user"]["id"], _value(body), False)
        ack()
        _tell(services, body, refusal)

    @app.action(Action.PERSON_LINK.value)
    @guard
    def link_form(ack, body):
        ack()
        _push(services, body, person_page.link_form(services, body["user"]["id"],
                                                    _value(body), False), NOT_SECURITY)

    @app.action(Action.PERSON_UNLINK.value)
    @guard
    def unlink_form(ack, body):
        ack()
        _push(services, body, person_page.link_form(services, body["user"]["id"],
                                                    _value(body), True), NOT_SECURITY)

    register_lookout(app, services, guard)
    register_modals(app, services, guard)


def register_lookout(app, services: Services, guard) -> None:
    """The buttons that open the notice and order forms, "Seen" and "End notice"."""

    @app.action(Action.NOTICE_NEW.value)
    @guard
    def notice_form(ack, body):
        ack()
        _push(services, body, lookout.notice_form(services, body["user"]["id"], _value(body)),
              NOT_SECURITY)

    @app.action(Action.ORDER_NEW.value)
    @guard
    def order_form(ack, body):
        ack()
        _push(services, body, orders.order_form(services, body["user"]["id"], _value(body)),
              NOT_SECURITY)

    @app.action(Action.NOTICE_SEEN.value)
    @guard
    def notice_seen(ack, body):
        message = lookout.seen(services, body["user"]["id"], _value(body))
        ack()  # after saving: a "Seen" Slack was told about is recorded
        _tell(services, body, message)

    @app.action(Action.NOTICE_END.value)
    @guard
    def notice_end(ack, body):
        refusal = lookout.end_early(services, body["user"]["id"], _value(body))
        ack()
        _tell(services, body, refusal)


def register_modals(app, services: Services, guard) -> None:
    """The link, unlink, notice and order modals' submissions."""

    @app.view(Callback.PERSON_LINK.value)
    @guard
    def link_submit(ack, body):
        answers = read_answers(_values(body))
        _answer(ack, person_page.change_link(
            services, body["user"]["id"], _person(body), answers.get(Block.LINK_REF.value),
            answers.get(Block.REASON.value), False))

    @app.view(Callback.PERSON_UNLINK.value)
    @guard
    def unlink_submit(ack, body):
        answers = read_answers(_values(body))
        _answer(ack, person_page.change_link(
            services, body["user"]["id"], _person(body), answers.get(Block.UNLINK_REF.value),
            answers.get(Block.REASON.value), True))

    @app.view(Callback.NOTICE_NEW.value)
    @guard
    def notice_submit(ack, body):
        _answer(ack, lookout.issue(services, body["user"]["id"], _person(body), _values(body)))

    @app.view(Callback.ORDER_NEW.value)
    @guard
    def order_submit(ack, body):
        _answer(ack, orders.record(services, body["user"]["id"], _person(body), _values(body)))
