"""GET /public/complaint-form: what the complaint form accepts, without logging in, as the
server is configured (the intake page states it before anything is sent)."""

from __future__ import annotations

from pathlib import Path

from support.console import console_client


def test_the_form_rules_follow_the_settings(tmp_path: Path) -> None:
    with console_client(tmp_path, complaint_max_attachments=3,
                        complaint_attachment_max_bytes=2 * 1024 * 1024,
                        complaint_intake_per_address=4, complaint_intake_window_minutes=30,
                        complaint_first_review_working_days=2,
                        complaint_resolution_working_days=10) as client:
        response = client.get("/public/complaint-form")  # no login
    assert response.status_code == 200, response.text
    assert response.json() == {
        "max_attachments": 3, "max_attachment_bytes": 2 * 1024 * 1024,
        "accepted_types": ["image/jpeg", "image/png", "image/webp", "application/pdf"],
        "per_address": 4, "window_minutes": 30, "first_review_working_days": 2,
        "resolution_working_days": 10}
