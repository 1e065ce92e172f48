"""People of concern: who a report is about, normalised, and whether two reports match.

Stdlib only. A report names a person through its private answers (the client's name, or a
non-client's name when known, and the accounts involved). From them come match keys:

- ``account``: a full account number (5 digits or more, not masked): the same number is the
  same person, whatever the name;
- ``name_ending``: the normalised name with one account ending: the same name *and* the same
  ending is the same person;
- ``name`` and ``initial`` (first initial and surname): a likely-same person, offered to
  security as a suggestion, never linked on its own.

Keys are stored only as digests: keyed (HMAC-SHA256 with ``CARE_SUBJECT_KEY``) so that they may
outlive the report they came from, or unkeyed (live reports only, deleted with the report).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

SAME = "same"
LIKELY = "likely"
AUTO_KINDS = ("account", "name_ending")  # keys that link on their own
HINT_KINDS = ("name", "initial")  # keys that only suggest
TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "sir", "madam", "mme", "mlle"})
APOSTROPHES = re.compile("['\u2019\u2018`\u00b4]")  # apostrophes of every kind
LETTERS = re.compile(r"[^\W\d_]+")
ACCOUNT = re.compile(
    r"(?<![0-9A-Za-z])(?P<mask>[*xX•·#]+[ \-]?)?(?P<num>\d(?:[\d\-]*\d)?)(?![0-9A-Za-z])")
CUE = re.compile(
    r"(?:ending|ends|end|last\s+(?:4|four)(?:\s+digits)?|acct|account|a/c|checking|savings|"
    r"card|loan|no|number|#)\W*(?:in|with|of)?\W*$", re.IGNORECASE)
YEAR = re.compile(r"^(?:19|20)\d\d$")
FULL_DIGITS = 5  # an unmasked number this long is an account number, not only an ending


def fold(text: str) -> str:
    """Case, accents and compatibility forms folded away: "Zoë" and "ZOE" become "zoe"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def name_tokens(text: str | None) -> list[str]:
    """The words of a name, folded; "Marlowe, Jordan" is read as "Jordan Marlowe".

    Hyphens and spaces separate words alike ("Anne-Marie" is "anne marie"), apostrophes join
    ("O'Brien" is "obrien"), and titles (Mr, Dr, …) are dropped.
    """
    if not text or not isinstance(text, str):
        return []
    folded = APOSTROPHES.sub("", fold(text))
    if folded.count(",") == 1:
        last, _, first = folded.partition(",")
        folded = f"{first} {last}"
    return [word for word in LETTERS.findall(folded) if word not in TITLES]


def normalise_name(text: str | None) -> str:
    """The name as matched: folded words, middle initials dropped ("Jordan A. Marlowe")."""
    words = name_tokens(text)
    if len(words) > 2:
        words = [words[0], *(w for w in words[1:-1] if len(w) > 1), words[-1]]
    return " ".join(words)


@dataclass(frozen=True)
class Accounts:
    """Account references found in free text: full numbers, and every ending (last 4)."""

    full: frozenset[str] = frozenset()
    endings: frozenset[str] = frozenset()


def account_refs(text: str | None) -> Accounts:
    """Find account references in "Checking ****1234, card 4111-1111-1111-1234" and the like.

    A masked number (``****1234``, ``x1234``) gives an ending; an unmasked number of 5 digits
    or more is a full account number and gives its ending too. A bare 4-digit number counts
    unless it looks like a year (1900-2099) with no cue such as "ending" or "acct" before it.
    Numbers of fewer than 4 digits are not account references.
    """
    if not text or not isinstance(text, str):
        return Accounts()
    full, endings = set(), set()
    folded = fold(text)
    for match in ACCOUNT.finditer(folded):
        digits = match["num"].replace("-", "")
        if len(digits) < 4:
            continue
        masked = bool(match["mask"])
        if not masked and len(digits) == 4 and YEAR.match(digits) \
                and not CUE.search(folded[:match.start()][-30:]):
            continue
        if not masked and len(digits) >= FULL_DIGITS:
            full.add(digits.lstrip("0") or "0")
        endings.add(digits[-4:])
    return Accounts(frozenset(full), frozenset(endings))


@dataclass(frozen=True)
class Identity:
    """Who a report is about, as far as its answers tell."""

    name: str  # normalised; "" when no name was given
    accounts: Accounts

    @property
    def words(self) -> list[str]:
        """The normalised name's words."""
        return self.name.split()

    @property
    def empty(self) -> bool:
        """True when there is nothing to match on."""
        return not self.name and not self.accounts.full


def identity_of(answers: Mapping[str, Any]) -> Identity | None:
    """The identity a report's answers give, or None when they name nobody."""
    found = Identity(normalise_name(answers.get("client_name")),
                     account_refs(answers.get("accounts")))
    return None if found.empty else found


def match_keys(identity: Identity) -> list[tuple[str, str]]:
    """Every (kind, value) key of an identity, in a stable order."""
    keys = [("account", number) for number in sorted(identity.accounts.full)]
    if identity.name:
        keys += [("name_ending", f"{identity.name}|{end}")
                 for end in sorted(identity.accounts.endings)]
        keys.append(("name", identity.name))
        words = identity.words
        if len(words) >= 2:
            keys.append(("initial", f"{words[0][0]} {words[-1]}"))
    return keys


def digest(kind: str, value: str, secret: bytes | None) -> str:
    """A key's stored form: HMAC-SHA256 with the secret, or plain SHA-256 without one."""
    message = f"{kind}:{value}".encode()
    if secret:
        return hmac.new(secret, message, hashlib.sha256).hexdigest()
    return hashlib.sha256(message).hexdigest()


def _given_compatible(a: Sequence[str], b: Sequence[str]) -> bool:
    """True when two lists of given names could be the same person's ("J" and "Jordan")."""
    if not a or not b:
        return True
    first_a, first_b = a[0], b[0]
    if len(first_a) == 1 or len(first_b) == 1:
        return first_a[0] == first_b[0]
    if first_a.startswith(first_b) or first_b.startswith(first_a):
        return min(len(first_a), len(first_b)) >= 3
    return False


def compare(new: Identity, old: Identity) -> tuple[str, str] | None:
    """How two identities relate: (SAME or LIKELY, why), or None when they do not.

    SAME: the same full account number, or the same normalised name with an account ending in
    common. LIKELY: the same name with no ending in common, or the same surname with
    compatible given names ("J. Marlowe" and "Jordan Marlowe", "Jordan Lee Marlowe").
    """
    if new.accounts.full & old.accounts.full:
        return SAME, "the same account number"
    if new.name and new.name == old.name:
        if new.accounts.endings & old.accounts.endings:
            return SAME, "the same name and account ending"
        return LIKELY, "the same name, no account ending in common"
    a, b = new.words, old.words
    if len(a) >= 2 and len(b) >= 2 and a[-1] == b[-1] and _given_compatible(a[:-1], b[:-1]):
        return LIKELY, "a likely-same name"
    return None


def compare_keys(kinds: Iterable[str]) -> tuple[str, str] | None:
    """How a purged report relates, from the kinds of its keys that matched (no answers left)."""
    found = set(kinds)
    if "account" in found:
        return SAME, "the same account number"
    if "name_ending" in found:
        return SAME, "the same name and account ending"
    if "name" in found:
        return LIKELY, "the same name, no account ending in common"
    if "initial" in found:
        return LIKELY, "a likely-same name"
    return None


# ---- the trend line on a person's page: plain words, no score

SEVERITY = ("physical", "implied", "abusive", "behaviour", "other")  # most severe first
TREND_WORDS = {"physical": "physical", "implied": "implied", "abusive": "verbal",
               "behaviour": "behaviour", "other": "other"}
DAY = 86400.0
TREND_DAYS = 30


def worst_kind(kinds: Iterable[str]) -> str | None:
    """The most severe threat kind of a report, or None."""
    chosen = set(kinds or ())
    return next((kind for kind in SEVERITY if kind in chosen), None)


def trend_line(reports: Sequence[tuple[float, Iterable[str]]], now: float) -> str:
    """"3 reports in 30 days, verbal → physical" from (when, kinds) pairs, oldest first."""
    if not reports:
        return "No reports."
    recent = [at for at, _ in reports if now - at <= TREND_DAYS * DAY]
    total = len(reports)
    noun = "report" if total == 1 else "reports"
    if len(recent) == total:
        head = f"{total} {noun} in {TREND_DAYS} days"
    else:
        head = f"{total} {noun} in all, {len(recent)} in the last {TREND_DAYS} days"
    steps: list[str] = []
    for _, kinds in reports:
        word = TREND_WORDS.get(worst_kind(kinds) or "", "")
        if word and (not steps or steps[-1] != word):
            steps.append(word)
    return f"{head}, {' → '.join(steps)}" if steps else head
