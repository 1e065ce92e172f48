"""Keep the answer Slack was given: work after ack() that fails is logged, never re-raised.

In Bolt 1.30 a listener that raises after calling ``ack()`` has its answer replaced, and Slack
then sees a 404 "unhandled request" after three seconds. Each listener is wrapped so that an
exception after the ack is logged and the user told in the surface they used; an exception
before the ack still reaches the app's error handler.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

from care_bot.flows.errors import tell_user_about_error
from care_bot.listeners.context import services_of

logger = logging.getLogger(__name__)


def guarded(listener: Callable) -> Callable:
    """Wrap a listener that names ``ack``, ``body`` and ``context`` (Bolt passes only the
    arguments a listener names; ``functools.wraps`` keeps those names visible to Bolt)."""

    @functools.wraps(listener)
    def guarded_listener(**kwargs):
        ack = kwargs["ack"]
        try:
            return listener(**kwargs)
        except Exception as error:
            if getattr(ack, "response", None) is None:
                raise  # not answered yet: the app's error handler answers
            logger.error("%s failed after ack: %s", listener.__name__,
                         type(error).__name__, exc_info=error)
            tell_user_about_error(services_of(kwargs["context"]), kwargs.get("body") or {})
            return None

    return guarded_listener

