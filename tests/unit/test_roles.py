"""RoleDirectory: user groups expanded through Slack, cached, and kept through outages."""

from __future__ import annotations

import pytest

from care_bot.roles import DEFAULT_TTL_SECONDS, RoleDirectory
from tests.support.world import Clock

TTL = 300.0


class FakeGroups:
    """A usergroups.users.list stand-in that counts calls and can be made to fail."""

    def __init__(self, groups: dict[str, list[str]]):
        self.groups = groups
        self.calls: list[str] = []
        self.failing = False

    def __call__(self, group_id: str) -> list[str]:
        """Return the group's members, or raise while failing."""
        self.calls.append(group_id)
        if self.failing:
            raise ConnectionError("slack is down")
        return list(self.groups[group_id])


@pytest.fixture
def clock():
    """Return a hand-moved clock."""
    return Clock(1000.0)


@pytest.fixture
def groups():
    """Return a fake group lookup with two user groups."""
    return FakeGroups({"S0SEC": ["U0SEC", "U0GUARD"], "S0HR": ["U0HANA"]})


def directory(groups, clock, **roles: tuple[str, ...]) -> RoleDirectory:
    """Return a RoleDirectory over the given roles, the fake lookup and the clock."""
    return RoleDirectory(roles, groups, ttl=TTL, clock=clock)


def test_roles_members_lists_users_without_calling_slack(groups, clock):
    roles = directory(groups, clock, supervisors=("U0SUE", "W0GRID"))

    assert roles.members("supervisors") == frozenset({"U0SUE", "W0GRID"})
    assert groups.calls == []


def test_roles_members_expands_user_groups(groups, clock):
    roles = directory(groups, clock, security=("S0SEC", "U0SUE"))

    assert roles.members("security") == frozenset({"U0SEC", "U0GUARD", "U0SUE"})
    assert groups.calls == ["S0SEC"]


def test_roles_unknown_or_empty_role_has_no_members(groups, clock):
    roles = directory(groups, clock, hr=())

    assert roles.members("hr") == frozenset()
    assert roles.members("nobody") == frozenset()
    assert groups.calls == []


def test_roles_cache_a_group_for_the_ttl(groups, clock):
    roles = directory(groups, clock, security=("S0SEC",), management=("S0SEC",))

    roles.members("security")
    clock.advance(TTL - 1)
    roles.members("security")
    roles.members("management")  # the same group in another role shares the cache

    assert groups.calls == ["S0SEC"]


def test_roles_refetch_a_group_after_the_ttl(groups, clock):
    roles = directory(groups, clock, security=("S0SEC",))
    roles.members("security")
    groups.groups["S0SEC"] = ["U0NEWGUARD"]

    clock.advance(TTL)

    assert roles.members("security") == frozenset({"U0NEWGUARD"})
    assert groups.calls == ["S0SEC", "S0SEC"]


def test_roles_keep_last_known_members_when_a_refetch_fails(groups, clock, caplog):
    roles = directory(groups, clock, security=("S0SEC",))
    roles.members("security")
    groups.failing = True
    clock.advance(TTL + 1)

    assert roles.members("security") == frozenset({"U0SEC", "U0GUARD"})
    assert groups.calls == ["S0SEC", "S0SEC"]
    assert ("Could not read user group S0SEC (ConnectionError): security cannot act until it "
            "is fixed") in caplog.text
    assert "slack is down" not in caplog.text  # the error text itself is not logged


def test_roles_are_empty_when_the_first_fetch_fails_and_retry_next_time(groups, clock):
    roles = directory(groups, clock, security=("S0SEC", "U0SUE"), hr=("S0HR",))
    groups.failing = True

    assert roles.members("security") == frozenset({"U0SUE"})
    assert roles.members("hr") == frozenset()

    groups.failing = False
    assert roles.members("hr") == frozenset({"U0HANA"})  # a failure is not cached
    assert groups.calls == ["S0SEC", "S0HR", "S0HR"]


def test_roles_snapshot_lists_every_configured_role(groups, clock):
    roles = directory(groups, clock, security=("S0SEC",), hr=("S0HR", "U0HANA"), management=())

    assert roles.snapshot() == {
        "security": frozenset({"U0SEC", "U0GUARD"}),
        "hr": frozenset({"U0HANA"}),
        "management": frozenset(),
    }


def test_roles_default_ttl_is_five_minutes():
    assert DEFAULT_TTL_SECONDS == 300.0


def test_roles_an_unreadable_group_is_reported_once_until_it_reads_again(groups, clock):
    roles = directory(groups, clock, supervisors=("S0SEC",))
    groups.failing = True
    roles.refresh()
    roles.refresh()
    assert roles.failing() == {"S0SEC": "ConnectionError"}
    assert roles.failing(("supervisors",)) == {"S0SEC": "ConnectionError"}
    assert roles.failing(("security",)) == {}
    assert roles.take_new_failures() == {"S0SEC": "ConnectionError"}
    assert roles.take_new_failures() == {}
    groups.failing = False
    roles.refresh()
    assert roles.failing() == {}
    groups.failing = True
    roles.refresh()
    assert roles.take_new_failures() == {"S0SEC": "ConnectionError"}  # a new outage: again
