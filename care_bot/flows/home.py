"""Publish the App Home tab: one view per user, composed from role sections.

The one place Home is composed and published. Each section builder takes
``(db, services, user_id)`` and returns its blocks, or ``[]`` when the user has no part in it;
``SECTIONS`` lists them in the order Home shows them (the role sections live in ``role_home``).
Publishing is idempotent (the whole view is replaced), so it is re-published whenever the
user's incidents change: ``queue_home`` writes an outbox row in the caller's transaction, and
``publish_now`` publishes at once after a Home button.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import sqlite_utils

from care_bot.domain.checklist import task_states
from care_bot.flows import alert_status, lookout_home, role_home
from care_bot.outbox import posting
from care_bot.services import Services
from care_bot.storage import incidents, outbox
from care_bot.views import alert_status as alert_status_views
from care_bot.views import home

logger = logging.getLogger(__name__)

HomeSection = Callable[[sqlite_utils.Database, Services, str], list[dict[str, Any]]]
MY_REPORTS_LIMIT = 10


def associate_section(db: sqlite_utils.Database, services: Services,
                      user_id: str) -> list[dict[str, Any]]:
    """The associate's Home: the alert button, "Report a threat" and their recent reports."""
    lines = []
    settings = services.settings
    now = services.clock()
    for incident in incidents.list_by_reporter(db, user_id, MY_REPORTS_LIMIT):
        states = task_states(incidents.list_events(db, incident.id))
        delivery = home.delivery_state(outbox.parent_states(db, incident.id))
        alert = ""
        if incident.danger:  # the same truth as the emergency screen, updated as it changes
            status = alert_status.status_of(db, services, incident, now)
            alert = alert_status_views.status_lines(status, settings.branches, incident.branch,
                                                    settings.security_phone)[0]
        lines.append(home.ReportLine(incident, delivery, "ics_notified" in states, alert))
    return home.associate_section(lines)


# Every role's section, in the order Home shows them; add a builder here to add a section.
SECTIONS: tuple[HomeSection, ...] = (associate_section, *role_home.SECTIONS,
                                     *lookout_home.SECTIONS)


def home_view(db: sqlite_utils.Database, services: Services, user_id: str) -> dict[str, Any]:
    """Build a user's Home view from every section, the emergency block first."""
    return home.build_home((section(db, services, user_id) for section in SECTIONS),
                           services.settings)


def publish_home(services: Services, user_id: str) -> None:
    """Build and publish a user's Home tab now (on ``app_home_opened``)."""
    with services.store.reading() as db:
        view = home_view(db, services, user_id)
    services.slack.publish_home(user_id, view)


def publish_now(services: Services, user_id: str) -> None:
    """Publish the person's Home at once, so the change they made shows where they made it."""
    try:
        publish_home(services, user_id)
    except Exception:
        logger.warning("views.publish failed after a Home action", exc_info=True)


def queue_home(db: sqlite_utils.Database, user_id: str, now: float,
               incident_id: int | None = None) -> None:
    """Queue a re-publish of a user's Home tab inside the caller's transaction.

    With an incident, the Homes of everyone else it concerns (its roles) are queued too.
    """
    outbox.enqueue_home(db, user_id=user_id, now=now, incident_id=incident_id)
    if incident_id is not None:
        posting.queue_concerned_homes(db, incident_id, now)
