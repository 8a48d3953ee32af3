"""Set up a site with a room, an edge device and cameras in one go, and write the agent's
config for it. Used by the demo and the benchmarks; production uses ``proctor admin``."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from proctor import directory


@dataclass(frozen=True)
class ProvisionedSite:
    """Ids of what was created, and the device token (shown only here)."""

    site_id: int
    room_id: int
    device_id: int
    device_token: str
    camera_ids: list[int]


def provision_site(session: Session, actor: str, site: str, room: str,
                   cameras: Sequence[str]) -> ProvisionedSite:
    """Create a site, a room, one edge device and ``cameras`` published by that device."""
    site_row = directory.create_site(session, actor, site)
    room_row = directory.create_room(session, actor, site_row.id, room)
    device, token = directory.create_device(session, actor, site_row.id, f"{site} edge")
    camera_ids = [
        directory.create_camera(session, actor, room_row.id, name, device.id).id
        for name in cameras
    ]
    return ProvisionedSite(site_row.id, room_row.id, device.id, token, camera_ids)


def write_agent_config(path: Path, server_url: str, token: str, sources: Mapping[int, str],
                       ice_host_addresses: Sequence[str] = (),
                       recording: Mapping[str, object] | None = None,
                       camera_options: Mapping[int, Mapping[str, object]] | None = None) -> None:
    """Write an ``agent.toml`` (mode 0600: it holds the device token); ``recording`` fills
    its ``[recording]`` table (defaults otherwise), ``camera_options`` adds keys to a camera's
    table (e.g. ``{1: {"sub_source": "rtsp://…"}}``)."""
    q = json.dumps  # a JSON string is a valid TOML basic string
    lines = [
        f"server_url = {q(server_url)}",
        f"token = {q(token)}",
        f"ice_host_addresses = [{', '.join(q(a) for a in ice_host_addresses)}]",
    ]
    if recording:
        lines += ["", "[recording]", *(f"{k} = {q(v)}" for k, v in recording.items())]
    for camera_id, source in sources.items():
        lines += ["", "[[cameras]]", f"id = {camera_id}", f"source = {q(source)}"]
        options = (camera_options or {}).get(camera_id, {})
        lines += [f"{k} = {q(v)}" for k, v in options.items()]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text("\n".join(lines) + "\n")
