"""The collaborators every flow needs, bundled so listeners and the scheduler share them."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from care_bot.config import Settings
from care_bot.flows.view_owners import TriggerOwners
from care_bot.outbox.hooks import DeliveryHooks
from care_bot.outbox.state import DeliveryState
from care_bot.roles import RoleDirectory
from care_bot.runtime.identity import BotIdentity
from care_bot.runtime.lease_state import LeaseState
from care_bot.runtime.watchdog import StorageWatch
from care_bot.slack_api import SlackGateway
from care_bot.storage import Store


def _nothing() -> None:
    """Default wake-up hook: the periodic sweep will pick the work up."""


@dataclass
class Services:
    """Settings, storage, Slack and the clock, injected into every flow."""

    settings: Settings
    store: Store
    slack: SlackGateway
    roles: RoleDirectory
    clock: Callable[[], float] = time.time
    wake_sweep: Callable[[], None] = field(default=_nothing)
    delivery: DeliveryState = field(default_factory=DeliveryState)
    storage_watch: StorageWatch = field(default_factory=StorageWatch)
    identity: BotIdentity = field(default_factory=lambda: BotIdentity(""))
    triggers: TriggerOwners = field(default_factory=TriggerOwners)
    lease: LeaseState = field(default_factory=LeaseState)
    # What the flows add to delivery (rendering at send time, alert hooks); set by whoever
    # builds the services, from ``flows.renders.delivery_hooks()``.
    hooks: DeliveryHooks | None = None
