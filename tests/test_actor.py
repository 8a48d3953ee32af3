"""Actors are typed values with one canonical string form; anything else is refused."""

from __future__ import annotations

import pytest

from proctor.actor import Actor, ActorKind, as_actor

EXAMPLES = [
    (Actor.user(3), "user:3"),
    (Actor.device(12), "device:12"),
    (Actor.cli("root"), "cli:root"),
    (Actor.system("legal-hold-repair"), "system:legal-hold-repair"),
    (Actor.login_attempt("sam.lee@site-1"), "login:sam.lee@site-1"),
]


@pytest.mark.parametrize(("actor", "canonical"), EXAMPLES)
def test_actors_round_trip_through_their_canonical_form(actor: Actor, canonical: str) -> None:
    assert str(actor) == canonical
    assert Actor.parse(canonical) == actor
    assert as_actor(canonical) == actor and as_actor(actor) is actor


@pytest.mark.parametrize("hostile", [
    "", "user", "user:", ":3", "user:03", "user:-1", "user:3 ", "user:3\n", "user:3:admin",
    "device:1e3", "root:1", "USER:3", "cli:ro ot", "cli:root\r\nsystem:x", "login:a b",
    "login:~0123", "system:Demo", "system:" + "x" * 65, "user:" + "9" * 19, "login:名字",
])
def test_hostile_actor_strings_are_refused(hostile: str) -> None:
    with pytest.raises(ValueError):
        Actor.parse(hostile)


def test_typed_constructors_refuse_what_the_parser_would() -> None:
    with pytest.raises(ValueError):
        Actor.user(0)
    with pytest.raises(ValueError):
        Actor.device(-2)
    with pytest.raises(ValueError):
        Actor.cli("a\nb")
    with pytest.raises(ValueError):
        Actor.system("")


def test_a_login_name_no_account_could_have_is_stored_as_a_digest() -> None:
    hostile = "admin\nuser:1 名字" + "x" * 300
    actor = Actor.login_attempt(hostile)
    assert actor.kind is ActorKind.LOGIN and str(actor).startswith("login:~")
    assert Actor.parse(str(actor)) == actor == Actor.login_attempt(hostile)
    assert actor != Actor.login_attempt(hostile + "y")


def test_the_old_schemes_are_read_during_the_transition() -> None:
    assert as_actor("user:7") == Actor.user(7)
    assert as_actor("user:sam") == Actor.login_attempt("sam")  # a failed login's claimed name
    assert as_actor("user:bad name") == Actor.login_attempt("bad name")
    assert as_actor("demo") == Actor.system("demo")
    for hostile in ("cli:a b", "Demo", "device:7\n", "device:x"):
        with pytest.raises(ValueError):
            as_actor(hostile)
