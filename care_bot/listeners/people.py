"""People of concern, notices and orders: the buttons and modals security and branches use."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from care_bot.flows import lookout, orders, people, person_page
from care_bot.ids import Action, Block, Callback, record_id
from care_bot.listeners.context import services_of
from care_bot.listeners.guard import guarded
from care_bot.listeners.payloads import (
    clicked_id,
    modal_values,
    tell_privately,
    tell_where_clicked,
    user_of,
)
from care_bot.services import Services
from care_bot.views.forms import read_answers

logger = logging.getLogger(__name__)
NOT_SECURITY = "Only Corporate Security & Risk can do this."


def _person(body: dict) -> int:
    return record_id((body.get("view") or {}).get("private_metadata")) or 0


def _tell(services: Services, body: dict, text: str | None) -> None:
    """Say something only to the clicker: ephemeral in a channel, else a DM."""
    if text:
        tell_privately(services, (body.get("channel") or {}).get("id") or "", user_of(body),
                       text)


def _push(services: Services, body: dict, view: dict | None, refusal: str,
          refused: bool = True) -> None:
    if view is None:  # a refusal is told where they clicked (the person's page, the thread)
        tell_where_clicked(services, body, refusal, refused=refused)
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


def open_person(ack, body, context):
    ack()
    services = services_of(context)
    page = person_page.open_by_id(services, user_of(body), clicked_id(body))
    _push(services, body, page.view, page.message or "", refused=False)


def link_confirm(ack, body, context):
    services = services_of(context)
    refusal = people.decide(services, user_of(body), clicked_id(body), True)
    ack()
    _tell(services, body, refusal)


def link_reject(ack, body, context):
    services = services_of(context)
    refusal = people.decide(services, user_of(body), clicked_id(body), False)
    ack()
    _tell(services, body, refusal)


def link_form(ack, body, context):
    ack()
    services = services_of(context)
    _push(services, body, person_page.link_form(services, user_of(body), clicked_id(body),
                                                False), NOT_SECURITY)


def unlink_form(ack, body, context):
    ack()
    services = services_of(context)
    _push(services, body, person_page.link_form(services, user_of(body), clicked_id(body),
                                                True), NOT_SECURITY)


def notice_form(ack, body, context):
    ack()
    services = services_of(context)
    _push(services, body, lookout.notice_form(services, user_of(body), clicked_id(body)),
          NOT_SECURITY)


def order_form(ack, body, context):
    ack()
    services = services_of(context)
    _push(services, body, orders.order_form(services, user_of(body), clicked_id(body)),
          NOT_SECURITY)


def notice_seen(ack, body, context):
    services = services_of(context)
    message = lookout.seen(services, user_of(body), clicked_id(body))
    ack()  # after saving: a "Seen" Slack was told about is recorded
    _tell(services, body, message)


def notice_end(ack, body, context):
    services = services_of(context)
    refusal = lookout.end_early(services, user_of(body), clicked_id(body))
    ack()
    _tell(services, body, refusal)


def _link_submit(ack, body, context, unlink: bool) -> None:
    answers = read_answers(modal_values(body))
    ref = answers.get((Block.UNLINK_REF if unlink else Block.LINK_REF).value)
    _answer(ack, person_page.change_link(services_of(context), user_of(body), _person(body),
                                         ref, answers.get(Block.REASON.value), unlink))


def link_submit(ack, body, context):
    _link_submit(ack, body, context, False)


def unlink_submit(ack, body, context):
    _link_submit(ack, body, context, True)


def notice_submit(ack, body, context):
    _answer(ack, lookout.issue(services_of(context), user_of(body), _person(body),
                               modal_values(body)))


def order_submit(ack, body, context):
    _answer(ack, orders.record(services_of(context), user_of(body), _person(body),
                               modal_values(body)))


def register(app) -> None:
    """Attach the people-of-concern, notice and order listeners."""
    app.action(Action.OPEN_PERSON.value)(guarded(open_person))
    app.action(Action.LINK_CONFIRM.value)(guarded(link_confirm))
    app.action(Action.LINK_REJECT.value)(guarded(link_reject))
    app.action(Action.PERSON_LINK.value)(guarded(link_form))
    app.action(Action.PERSON_UNLINK.value)(guarded(unlink_form))
    app.action(Action.NOTICE_NEW.value)(guarded(notice_form))
    app.action(Action.ORDER_NEW.value)(guarded(order_form))
    app.action(Action.NOTICE_SEEN.value)(guarded(notice_seen))
    app.action(Action.NOTICE_END.value)(guarded(notice_end))
    app.view(Callback.PERSON_LINK.value)(guarded(link_submit))
    app.view(Callback.PERSON_UNLINK.value)(guarded(unlink_submit))
    app.view(Callback.NOTICE_NEW.value)(guarded(notice_submit))
    app.view(Callback.ORDER_NEW.value)(guarded(order_submit))
