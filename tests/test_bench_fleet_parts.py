"""The fleet bench's pure parts: the owned-twice check against the lease bucket, lease
messages read into owners, the stub processes' statuses merged, and ``--kill-node-at``."""

from __future__ import annotations

import pytest

from proctor_dev.bench.fleet import day_minute
from proctor_dev.bench.fleet_probe import LagProbe, TwiceWatch
from proctor_dev.bench.fleet_stubs import Stats

A, B = "http://127.0.0.1:1", "http://127.0.0.1:2"


def test_a_camera_held_on_one_node_while_its_lease_names_another_counts_after_a_lease() -> None:
    watch = TwiceWatch(lease_s=3)
    watch.check({1: A, 2: A}, {1: B, 2: A}, now=10.0)
    watch.check({1: A, 2: A}, {1: B, 2: A}, now=12.0)  # within a lease: the message may lag
    assert watch.twice == set()
    watch.check({1: A, 2: A}, {1: B, 2: A}, now=13.5)
    assert watch.twice == {1}


def test_a_mismatch_that_clears_within_a_lease_is_not_owned_twice() -> None:
    watch = TwiceWatch(lease_s=3)
    watch.check({1: A}, {1: B}, now=10.0)
    watch.check({1: A + "/"}, {1: A}, now=11.0)  # the new owner's lease arrived
    watch.check({1: A}, {1: B}, now=12.0)  # a new mismatch starts its own clock
    watch.check({1: A}, {1: B}, now=14.0)
    assert watch.twice == set()


def test_lease_messages_name_owners_and_deletes_remove_them() -> None:
    probe = LagProbe()
    subject = "$KV.proctor-camera-leases.camera-7"
    probe._note_lease(subject, b'{"node": "a", "url": "http://127.0.0.1:1/"}', None)
    probe._note_lease("$KV.proctor-camera-leases.other", b'{"url": "x"}', None)
    assert probe.lease_owner == {7: A}
    probe._note_lease(subject, b"", "DEL")
    assert probe.lease_owner == {}


def test_stats_of_stub_processes_add_up() -> None:
    first, second = Stats(), Stats()
    first.note("put", 0.0, 201)
    second.note("put", 0.0, 503)
    second.note("whip", 0.0, "ConnectError")
    first.merge(second)
    assert first.status["put"] == {"201": 1, "503": 1} and len(first.latency["put"]) == 2
    assert first.status["whip"] == {"ConnectError": 1} and first.server_errors() == 1


@pytest.mark.parametrize(("text", "minute"), [("08:30", 510), ("14:05", 845)])
def test_kill_times_inside_the_day(text: str, minute: int) -> None:
    assert day_minute(text) == minute


@pytest.mark.parametrize("text", ["07:59", "16:10", "8", "08:75", "noon"])
def test_kill_times_outside_the_day_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        day_minute(text)
