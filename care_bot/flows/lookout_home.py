"""Home sections for notices and orders: a branch's supervisors, and security.

Each has the Home framework's signature ``(db, services, user_id) -> blocks``. They list what
is in force now, with no name unless security chose to share one in a notice's description.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from care_bot.services import Services
from care_bot.storage import lookout
from care_bot.views import lookout as views


def _my_branches(services: Services, user_id: str) -> set[str]:
    return {code for code, b in services.settings.branches.items() if b.supervisor == user_id}


def _covers(codes: list[str], mine: set[str]) -> bool:
    return views.ALL in codes or bool(mine & set(codes))


def _notice_text(notice: dict, services: Services) -> str:
    todo = ", ".join(views.WHAT_TO_DO[k] for k in notice["todo"] if k in views.WHAT_TO_DO)
    line = views.notice_line(notice, services.settings.branches, services.settings.bank_timezone)
    return f"{line}: {notice['description'][:300]} If they come in: {todo or 'call security'}."


def _active_orders(db, services: Services, now: float) -> list[dict]:
    today = views.local_date(now, services.settings.bank_timezone)
    return [o for o in lookout.active_orders(db, now) if o["starts_on"] <= today]


def branch_section(db: sqlite_utils.Database, services: Services,
                   user_id: str) -> list[dict[str, Any]]:
    """A branch supervisor's active notices and orders for their branches."""
    mine = _my_branches(services, user_id)
    if not mine:
        return []
    now = services.clock()
    lines = [_notice_text(n, services) for n in lookout.active_notices(db, now)
             if _covers(n["branches"], mine)]
    lines += [views.order_banner(o, services.settings.branches)
              for o in _active_orders(db, services, now) if _covers(o["branches"], mine)]
    return views.home_blocks("Be on the lookout, orders", lines)


def security_section(db: sqlite_utils.Database, services: Services,
                     user_id: str) -> list[dict[str, Any]]:
    """Security's active notices and orders, across branches."""
    if user_id not in services.roles.members("security"):
        return []
    now = services.clock()
    lines = [views.notice_line(n, services.settings.branches, services.settings.bank_timezone)
             for n in lookout.active_notices(db, now)]
    lines += [views.order_banner(o, services.settings.branches)
              for o in _active_orders(db, services, now)]
    return views.home_blocks("Active notices and orders", lines)


SECTIONS = [branch_section, security_section]
