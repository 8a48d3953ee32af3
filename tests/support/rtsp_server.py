"""Test helper: a real RTSP camera (GStreamer's gst-rtsp-server) serving an H.264 MP4 file.

Used by ``tests/test_rtsp_source.py`` to prove that ``proctor-edge`` reads RTSP cameras and
sends their H.264 as it is. It is not part of the product. The H.264 is passed through
(``filesrc ! qtdemux ! h264parse ! rtph264pay``), never decoded or re-encoded, at the file's
own pace; the media is shared by all clients and built anew once the last one has left.

The project's virtualenv has no PyGObject, so run this with the system interpreter::

    /usr/bin/python3 tests/support/rtsp_server.py FILE.mp4 --port 8554 [--user U --password P]
        [--mount /sub=SUB.mp4 ...]

It listens on 127.0.0.1 only, serves ``rtsp://127.0.0.1:PORT/cam`` (and each ``--mount``,
e.g. a camera's sub stream at ``/sub``), prints
``READY rtsp://127.0.0.1:PORT/cam`` once listening, and exits with status 0 on SIGTERM or
SIGINT. With ``--user``/``--password`` it demands HTTP basic authentication. ``--check``
only verifies that GStreamer and its plugins are installed: exit status 3 and a message naming
the missing Debian packages if not.
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

ADDRESS = "127.0.0.1"
MOUNT = "/cam"
MISSING_STATUS = 3
# what each piece needs on Debian/Ubuntu
ELEMENT_PACKAGES = {
    "filesrc": "libgstreamer1.0-0",  # core elements, pulled in with GStreamer itself
    "qtdemux": "gstreamer1.0-plugins-good",
    "rtph264pay": "gstreamer1.0-plugins-good",
    "h264parse": "gstreamer1.0-plugins-bad",
}


def _missing(message: str, packages: list[str]) -> None:
    print(f"rtsp_server: {message}; install the Debian packages: {' '.join(packages)}",
          file=sys.stderr, flush=True)
    sys.exit(MISSING_STATUS)


def _load_gstreamer():  # type: ignore[no-untyped-def]
    """Import Gst, GstRtspServer and GLib, or exit naming the packages to install."""
    try:
        import gi
    except ImportError:
        _missing("PyGObject (gi) is not installed for this interpreter",
                 ["python3-gi", "gir1.2-gst-rtsp-server-1.0"])
    try:
        gi.require_version("Gst", "1.0")
        gi.require_version("GstRtspServer", "1.0")
        from gi.repository import GLib, Gst, GstRtspServer
    except (ValueError, ImportError) as error:
        _missing(f"GStreamer RTSP server introspection data not found ({error})",
                 ["gir1.2-gst-rtsp-server-1.0"])
    Gst.init(None)
    absent = [name for name in ELEMENT_PACKAGES if Gst.ElementFactory.find(name) is None]
    if absent:
        _missing(f"GStreamer elements {', '.join(absent)} not found",
                 sorted({ELEMENT_PACKAGES[name] for name in absent}))
    return GLib, Gst, GstRtspServer


def _launch_line(path: Path) -> str:
    location = str(path).replace("\\", "\\\\").replace('"', '\\"')
    return (f'( filesrc location="{location}" ! qtdemux ! h264parse '
            "! rtph264pay name=pay0 pt=96 config-interval=1 )")


def _require_basic_auth(GstRtspServer, server, factory,  # type: ignore[no-untyped-def]
                        user: str, password: str) -> None:
    """Demand HTTP basic authentication with ``user``/``password`` for the mount."""
    auth = GstRtspServer.RTSPAuth()
    token = GstRtspServer.RTSPToken()
    token.set_string("media.factory.role", "camera-user")
    auth.add_basic(GstRtspServer.RTSPAuth.make_basic(user, password), token)
    server.set_auth(auth)
    permissions = GstRtspServer.RTSPPermissions()
    permissions.add_permission_for_role("camera-user", "media.factory.access", True)
    permissions.add_permission_for_role("camera-user", "media.factory.construct", True)
    factory.set_permissions(permissions)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path, nargs="?", help="H.264 MP4 to serve")
    parser.add_argument("--port", type=int, default=8554)
    parser.add_argument("--user")
    parser.add_argument("--password")
    parser.add_argument("--mount", action="append", default=[], metavar="/PATH=FILE",
                        help="serve another H.264 MP4 at /PATH (e.g. a sub stream)")
    parser.add_argument("--check", action="store_true", help="only check the installation")
    args = parser.parse_args()

    GLib, _, GstRtspServer = _load_gstreamer()
    if args.check:
        print("rtsp_server: GStreamer RTSP server available", flush=True)
        return 0
    if args.file is None or not args.file.is_file():
        parser.error(f"file {args.file} does not exist")
    if (args.user is None) != (args.password is None):
        parser.error("give both --user and --password, or neither")
    mounts = {MOUNT: args.file}
    for mount in args.mount:
        path, _, file = mount.partition("=")
        if not path.startswith("/") or not Path(file).is_file():
            parser.error(f"--mount {mount!r} is not /PATH=EXISTING_FILE")
        mounts[path] = Path(file)

    server = GstRtspServer.RTSPServer()
    server.set_address(ADDRESS)
    server.set_service(str(args.port))
    for path, file in mounts.items():
        factory = GstRtspServer.RTSPMediaFactory()
        factory.set_launch(_launch_line(file.resolve()))
        factory.set_shared(True)
        if args.user is not None:
            _require_basic_auth(GstRtspServer, server, factory, args.user, args.password)
        server.get_mount_points().add_factory(path, factory)

    loop = GLib.MainLoop()
    try:
        attached = server.attach(None)  # binds the socket: 0 if the port is taken
    except GLib.Error as error:
        attached, reason = 0, f": {error.message}"
    else:
        reason = " (address in use?)"
    if not attached:
        print(f"rtsp_server: cannot listen on {ADDRESS}:{args.port}{reason}",
              file=sys.stderr, flush=True)
        return 1
    for signum in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signum, loop.quit)
    print(f"READY rtsp://{ADDRESS}:{args.port}{MOUNT}", flush=True)
    loop.run()
    print("rtsp_server: stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
