"""A network link with loss, delay and cuts between this network namespace and a new one.

Stands in for ``tc qdisc ... netem``: this machine's kernel is built without
``CONFIG_NET_SCH_NETEM`` ("Specified qdisc kind is unknown"), so the link is a pair of
point-to-point TUN devices, ``near`` here and ``far`` in the new namespace, joined by a wire
process that copies IP packets between them, dropping each with probability ``loss`` and
holding the rest for ``delay`` (netem's ``loss 5% delay 300ms``; order is kept, as with a fixed
netem delay). A cut drops everything (netem ``loss 100%``). The devices vanish with the wire
process, the namespace in :meth:`ImpairedLink.close`.

Only for tests and benches run inside a private network namespace (``unshare --net``): the
addresses are private /30 ones that exist only between the two namespaces.

Run as ``python -m proctor_dev.impaired_link NETNS NEAR FAR``; it prints ``ready`` once both
ends are up, then obeys ``set <loss 0..1> <delay ms>``, ``cut`` and ``restore`` lines on stdin,
answering ``ok`` to each.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import itertools
import os
import random
import struct
import subprocess
import sys
from collections.abc import Sequence

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
MAX_PACKET = 65_535
_names = itertools.count()


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, text=True)


def open_tun(name: str) -> int:
    """A new TUN device ``name`` (IP packets, no header); it goes away when the fd closes."""
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


class Wire:
    """Copies packets between two TUN fds with the current loss, delay and cut."""

    def __init__(self, near: int, far: int, seed: int = 15) -> None:
        self.loss = 0.0
        self.delay_s = 0.0
        self.cut = False
        self.dropped = 0
        self._random = random.Random(seed)
        self._ends = {near: far, far: near}

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        """Start forwarding in ``loop``."""
        for source in self._ends:
            loop.add_reader(source, self._forward, loop, source)

    def _forward(self, loop: asyncio.AbstractEventLoop, source: int) -> None:
        try:
            packet = os.read(source, MAX_PACKET)
        except BlockingIOError:
            return
        if self.cut or self._random.random() < self.loss:
            self.dropped += 1
            return
        target = self._ends[source]
        if self.delay_s > 0:
            loop.call_later(self.delay_s, _write, target, packet)
        else:
            _write(target, packet)

    def obey(self, command: Sequence[str]) -> None:
        """Apply one control line (``set LOSS DELAY_MS``, ``cut`` or ``restore``)."""
        match list(command):
            case ["set", loss, delay_ms]:
                self.loss, self.delay_s = float(loss), float(delay_ms) / 1000
            case ["cut"]:
                self.cut = True
            case ["restore"]:
                self.cut, self.loss, self.delay_s = False, 0.0, 0.0
            case _:
                raise ValueError(f"unknown command {' '.join(command)!r}")


def _write(fd: int, packet: bytes) -> None:
    with contextlib.suppress(OSError):  # a full queue or a device gone: lost, as on a wire
        os.write(fd, packet)


async def _serve(netns: str, near_address: str, far_address: str) -> None:
    prefix = f"pl{os.getpid() % 100_000}"
    near_name, far_name = f"{prefix}n", f"{prefix}f"
    wire = Wire(open_tun(near_name), open_tun(far_name))
    _ip("link", "set", far_name, "netns", netns)
    _ip("addr", "add", near_address, "peer", far_address, "dev", near_name)
    _ip("link", "set", near_name, "up")
    _ip("-n", netns, "addr", "add", far_address, "peer", near_address, "dev", far_name)
    _ip("-n", netns, "link", "set", far_name, "up")
    loop = asyncio.get_running_loop()
    wire.attach(loop)
    print("ready", flush=True)
    while line := await asyncio.to_thread(sys.stdin.readline):
        wire.obey(line.split())
        print("ok", flush=True)


def main(argv: Sequence[str]) -> None:
    """Entry point: ``NETNS NEAR FAR`` (the namespace must exist)."""
    netns, near, far = argv
    asyncio.run(_serve(netns, near, far))


class ImpairedLink:
    """A new namespace joined to this one by an impairable link; use as a context manager.

    ``near`` is this namespace's address, ``far`` the new one's. Run a process on the far
    side with :meth:`command` (``ip netns exec``, the same pid: a signal reaches it directly).
    """

    def __init__(self, near: str = "10.200.0.1", far: str = "10.200.0.2") -> None:
        self.near, self.far = near, far
        self.netns = f"proctor-link-{os.getpid()}-{next(_names)}"
        self._wire: subprocess.Popen[str] | None = None

    def __enter__(self) -> ImpairedLink:
        return self.open()

    def open(self) -> ImpairedLink:
        """Create the namespace and the link (raises, having cleaned up, if it cannot)."""
        _ip("netns", "add", self.netns)
        try:
            _ip("-n", self.netns, "link", "set", "lo", "up")
            self._wire = subprocess.Popen(
                [sys.executable, "-m", "proctor_dev.impaired_link", self.netns, self.near,
                 self.far], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            assert self._wire.stdout is not None
            if self._wire.stdout.readline().strip() != "ready":
                raise RuntimeError(f"the link wire did not start (exit {self._wire.poll()})")
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def command(self, *args: str) -> list[str]:
        """``args`` run in the far namespace."""
        return ["ip", "netns", "exec", self.netns, *args]

    def impair(self, loss: float, delay_ms: float) -> None:
        """Drop each packet with probability ``loss``, delay the rest ``delay_ms`` each way."""
        self._tell(f"set {loss} {delay_ms}")

    def cut(self) -> None:
        """Drop every packet until :meth:`restore`."""
        self._tell("cut")

    def restore(self) -> None:
        """A clean link again: no loss, no delay, no cut."""
        self._tell("restore")

    def _tell(self, line: str) -> None:
        wire = self._wire
        assert wire is not None and wire.stdin is not None and wire.stdout is not None
        wire.stdin.write(line + "\n")
        wire.stdin.flush()
        if wire.stdout.readline().strip() != "ok":
            raise RuntimeError(f"the link wire refused {line!r} (exit {wire.poll()})")

    def close(self) -> None:
        """Stop the wire (its devices go with it) and delete the namespace (idempotent)."""
        if self._wire is not None:
            self._wire.kill()
            self._wire.wait()
            self._wire = None
        subprocess.run(["ip", "netns", "del", self.netns], check=False, capture_output=True)


if __name__ == "__main__":
    main(sys.argv[1:])
