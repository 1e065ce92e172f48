"""Who this bot is (team, app, bot user), learned once from auth.test and never per request.

Bolt's single-team authorization calls auth.test on the first request after every start; with
Slack failing at that moment every request is refused. Here the identity comes from the start-up
auth.test, and when Slack cannot be reached then, the bot keeps serving while a background
thread retries with backoff. Until the identity is known, requests are accepted and recorded as
unchecked (a person in danger is never refused because the bot could not check who it is).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from slack_bolt.authorization import AuthorizeResult
from slack_sdk.errors import SlackApiError

from care_bot.slack_api import SlackGateway

logger = logging.getLogger(__name__)

REFUSED_CODES = frozenset({"invalid_auth", "not_authed", "account_inactive", "token_revoked"})
FIRST_RETRY_SECONDS = 1.0
MAX_RETRY_SECONDS = 60.0


class TokenRefused(Exception):
    """Slack definitely refused the bot token: the bot cannot work with it."""

    def __init__(self, code: str):
        self.code = code
        super().__init__(code)


@dataclass(frozen=True)
class Installation:
    """The workspace (or, org-wide, the organisation) and app this bot was installed as.

    From auth.test. An Enterprise Grid org-wide install (``is_enterprise_install``) serves every
    workspace of ``enterprise_id``; ``workspaces`` lists those the app has been added to
    (auth.teams.list), as far as Slack said at start.
    """

    team_id: str
    app_id: str | None
    bot_user_id: str | None
    bot_id: str | None
    enterprise_id: str | None = None
    is_enterprise_install: bool = False
    workspaces: tuple[str, ...] = ()

    def describe(self) -> str:
        """Which kind of install this is, in words for the start-up log and `check`."""
        if self.is_enterprise_install:
            return (f"an Enterprise Grid org-wide install in organisation {self.enterprise_id}, "
                    f"added to {len(self.workspaces)} workspace(s)")
        where = f" of organisation {self.enterprise_id}" if self.enterprise_id else ""
        return f"a single-workspace install in workspace {self.team_id}{where}"


class BotIdentity:
    """Holds the installation once known; thread-safe; callers never wait for Slack."""

    def __init__(self, bot_token: str, installation: Installation | None = None):
        self._bot_token = bot_token
        self._installation = installation
        self._lock = threading.Lock()
        self._listeners: list[Callable[[Installation], None]] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def installation(self) -> Installation | None:
        """The installation, or None while Slack has not yet said who the bot is."""
        with self._lock:
            return self._installation

    def on_known(self, callback: Callable[[Installation], None]) -> None:
        """Call ``callback`` once the identity is known (at once if it already is)."""
        with self._lock:
            known = self._installation
            if known is None:
                self._listeners.append(callback)
        if known is not None:
            callback(known)

    def learn(self, installation: Installation) -> None:
        """Record the identity and run the callbacks waiting for it."""
        with self._lock:
            self._installation = installation
            waiting, self._listeners = self._listeners, []
        for callback in waiting:
            try:
                callback(installation)
            except Exception:
                logger.exception("a callback waiting for the bot identity failed")

    def resolve(self, fetch: Callable[[], Installation]) -> bool:
        """Try once; True when known. Raises TokenRefused when Slack rejects the token."""
        try:
            installation = fetch()
        except TokenRefused:
            raise
        except Exception as error:
            logger.warning("could not learn the bot identity from Slack (%s)", _reason(error))
            return False
        self.learn(installation)
        return True

    def resolve_in_background(self, fetch: Callable[[], Installation],
                              sleep: Callable[[float], bool] | None = None) -> None:
        """Retry ``fetch`` with backoff on a daemon thread until the identity is known."""
        wait = sleep or self._stop.wait

        def run() -> None:
            delay = FIRST_RETRY_SECONDS
            while self.installation is None:
                if wait(delay):
                    return
                try:
                    if self.resolve(fetch):
                        logger.info("bot identity learned from Slack")
                        return
                except TokenRefused as error:
                    logger.error("Slack refused SLACK_BOT_TOKEN (%s); requests stay unchecked",
                                 error.code)
                    return
                delay = min(delay * 2, MAX_RETRY_SECONDS)

        self._thread = threading.Thread(target=run, name="care-identity", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the background retry, if any."""
        self._stop.set()

    def authorize_function(self) -> Callable[..., AuthorizeResult]:
        """Bolt's ``authorize`` (a plain function: Bolt passes arguments by parameter name)."""

        def authorize(enterprise_id, team_id) -> AuthorizeResult:
            return self.authorize(enterprise_id, team_id)

        return authorize

    def authorize(self, enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
        """The known identity as Bolt's AuthorizeResult, with no Web API call ever."""
        known = self.installation
        if known is None:  # Slack was unreachable at start: accept, checked by the middleware
            return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id,
                                   bot_token=self._bot_token)
        if known.is_enterprise_install:  # one token for every workspace of the organisation
            return AuthorizeResult(
                enterprise_id=known.enterprise_id, team_id=team_id, bot_token=self._bot_token,
                bot_id=known.bot_id, bot_user_id=known.bot_user_id,
            )
        return AuthorizeResult(
            enterprise_id=known.enterprise_id or enterprise_id, team_id=known.team_id,
            bot_token=self._bot_token, bot_id=known.bot_id, bot_user_id=known.bot_user_id,
        )


def fetch_installation(client) -> Installation:
    """Ask Slack who the bot token belongs to; TokenRefused when the token is no good."""
    try:
        answer = client.auth_test()
    except SlackApiError as error:
        code = error.response.get("error") if hasattr(error.response, "get") else None
        if code in REFUSED_CODES:
            raise TokenRefused(code) from error
        raise
    app_id = answer.get("app_id")
    if not app_id and answer.get("bot_id"):
        app_id = _app_of_bot(client, answer["bot_id"])
    org_wide = answer.get("is_enterprise_install") is True
    return Installation(
        team_id=answer.get("team_id") or answer.get("enterprise_id") or "", app_id=app_id,
        bot_user_id=answer.get("user_id"), bot_id=answer.get("bot_id"),
        enterprise_id=answer.get("enterprise_id") or None, is_enterprise_install=org_wide,
        workspaces=_workspaces(client) if org_wide else (),
    )


def _workspaces(client) -> tuple[str, ...]:
    try:
        return tuple(team["id"] for team in SlackGateway(client).workspaces() if team.get("id"))
    except Exception as error:  # serving matters more than the list; `check` shows it
        logger.warning("auth.teams.list failed (%s); the workspaces are not listed",
                       _reason(error))
        return ()


def _app_of_bot(client, bot_id: str) -> str | None:
    try:
        return (client.bots_info(bot=bot_id).get("bot") or {}).get("app_id")
    except Exception as error:
        logger.warning("bots.info failed (%s); the app id is not checked", _reason(error))
        return None


def _reason(error: Exception) -> str:
    if isinstance(error, SlackApiError):
        response = error.response
        return (response.get("error") if hasattr(response, "get") else None) or "http error"
    return type(error).__name__

