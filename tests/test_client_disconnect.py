"""An upload cut off mid-body (the agent stopped, the link dropped) is an expected event: one
log line, no traceback, nothing stored, and the same segment is accepted when sent again."""

from __future__ import annotations

import socket
from pathlib import Path

from support.ingest import T0, put_segment, segments
from support.segments import cut_segment, digest_header
from support.stack import Stack
from support.wait import wait_until_sync

GONE = "went away while sending PUT"


def send_half_and_hang_up(stack: Stack, camera_id: int, start_ms: int, data: bytes) -> None:
    """PUT a segment declaring its full length, send half of the body, close the socket."""
    assert stack.site_a is not None
    head = (f"PUT /api/cameras/{camera_id}/segments/{start_ms} HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{stack.port}\r\n"
            f"Authorization: Bearer {stack.site_a.device_token}\r\n"
            "Content-Type: video/mp2t\r\n"
            f"Content-Length: {len(data)}\r\n"
            f"X-Segment-End-Ms: {start_ms + 10_000}\r\n"
            f"Repr-Digest: {digest_header(data)}\r\n\r\n")
    with socket.create_connection(("127.0.0.1", stack.port), timeout=10) as connection:
        connection.sendall(head.encode() + data[:len(data) // 2])


def test_cut_off_upload_logs_one_line_and_loses_nothing(stack: Stack, h264_footage: Path) -> None:
    camera = stack.site_a.camera_ids[0] if stack.site_a else 0
    data = cut_segment(h264_footage, 0, 10)
    log = stack.data_dir / "server.log"
    send_half_and_hang_up(stack, camera, T0, data)
    wait_until_sync(lambda: GONE in log.read_text(), timeout=60)

    text = log.read_text()
    assert "Traceback" not in text and "Exception in ASGI application" not in text, text
    lines = [line for line in text.splitlines() if GONE in line]
    assert len(lines) == 1 and f"/api/cameras/{camera}/segments/{T0}" in lines[0], lines
    assert "ERROR" not in lines[0]
    assert segments(stack, camera) == []  # nothing of the half body was stored

    again = put_segment(stack, camera, T0, data)  # the agent's retry from its spool
    assert again.status_code == 201, again.text
    assert [s.sha256 for s in segments(stack, camera)] == [again.json()["sha256"]]
