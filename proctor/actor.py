"""Who did something, as a typed value with one canonical string form: ``kind:identity``.

The audit log stores the canonical form (``user:3``, ``login:sam``, ``device:2``,
``cli:root``, ``system:demo``). :meth:`Actor.parse` accepts only that form, so a stored
actor can never carry control characters, spaces or a second ``:``-separated claim.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from enum import StrEnum


class ActorKind(StrEnum):
    """What kind of party acted."""

    USER = "user"  # an authenticated account, by id
    LOGIN = "login"  # a name given at a login attempt, not authenticated
    DEVICE = "device"  # an edge device, by id
    CLI = "cli"  # an operator at the command line, by operating-system account
    SYSTEM = "system"  # the service itself: a background task, the demo, a benchmark


_ID = r"[1-9][0-9]{0,17}"
_NAME = r"[A-Za-z0-9_.@-]{1,100}"  # the username rule of the API
_IDENTITY = {
    ActorKind.USER: re.compile(_ID),
    ActorKind.DEVICE: re.compile(_ID),
    ActorKind.LOGIN: re.compile(rf"{_NAME}|~[0-9a-f]{{16}}"),
    ActorKind.CLI: re.compile(r"[A-Za-z0-9_.@$-]{1,64}"),
    ActorKind.SYSTEM: re.compile(r"[a-z0-9][a-z0-9._-]{0,63}"),
}


@dataclass(frozen=True)
class Actor:
    """A party in the audit log; construct with the class methods or :meth:`parse`."""

    kind: ActorKind
    identity: str

    def __post_init__(self) -> None:
        if not _IDENTITY[self.kind].fullmatch(self.identity):
            raise ValueError(f"not a valid {self.kind.value} actor identity: {self.identity!r}")

    def __str__(self) -> str:
        return f"{self.kind.value}:{self.identity}"

    @classmethod
    def user(cls, user_id: int) -> Actor:
        """An authenticated user account."""
        return cls(ActorKind.USER, str(user_id))

    @classmethod
    def device(cls, device_id: int) -> Actor:
        """An enrolled edge device."""
        return cls(ActorKind.DEVICE, str(device_id))

    @classmethod
    def cli(cls, os_user: str) -> Actor:
        """An operator running ``proctor`` on the server as ``os_user``."""
        return cls(ActorKind.CLI, os_user)

    @classmethod
    def system(cls, component: str) -> Actor:
        """The service itself (``component`` names the part, e.g. ``demo``)."""
        return cls(ActorKind.SYSTEM, component)

    @classmethod
    def login_attempt(cls, username: str) -> Actor:
        """Whoever gave ``username`` at a login. A name no account could have (it is
        attacker-controlled) is kept as ``~`` and a digest, so the same name still counts
        as the same actor and nothing hostile is stored."""
        if re.fullmatch(_NAME, username):
            return cls(ActorKind.LOGIN, username)
        return cls(ActorKind.LOGIN, "~" + hashlib.sha256(username.encode()).hexdigest()[:16])

    @classmethod
    def parse(cls, text: str) -> Actor:
        """The actor whose canonical form is ``text``; ``ValueError`` for anything else."""
        kind, sep, identity = text.partition(":")
        if not sep or kind not in ActorKind.__members__.values():
            raise ValueError(f"not an actor (kind:identity): {text!r}")
        return cls(ActorKind(kind), identity)


ActorRef = Actor | str
"""An actor, or (during the transition) a string in one of the old schemes; see
:func:`as_actor`."""


def as_actor(ref: ActorRef) -> Actor:
    """``ref`` as an Actor. Transition: callers in ``proctor/api`` and ``proctor/vision``
    (and tests) still pass strings: the canonical form, the old ``user:NAME`` of login
    failures (a login attempt) or a bare component word (``demo``: the system)."""
    if isinstance(ref, Actor):
        return ref
    kind, sep, identity = ref.partition(":")
    if kind == ActorKind.USER and sep and not _IDENTITY[ActorKind.USER].fullmatch(identity):
        return Actor.login_attempt(identity)
    if not sep and _IDENTITY[ActorKind.SYSTEM].fullmatch(ref):
        return Actor.system(ref)
    return Actor.parse(ref)
