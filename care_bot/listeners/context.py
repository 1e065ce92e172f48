"""How a handler reaches the Services: one global middleware puts them in Bolt's context."""

from __future__ import annotations

from collections.abc import Callable

from care_bot.services import Services

SERVICES = "care_services"


def services_middleware(services: Services) -> Callable:
    """A Bolt middleware that puts ``services`` in every request's context."""

    def put_services(context, next):  # Bolt passes the next middleware by this name
        context[SERVICES] = services
        next()

    return put_services


def services_of(context) -> Services:
    """The Services the middleware put in this request's context."""
    return context[SERVICES]
