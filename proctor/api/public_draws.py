"""The public, read-only results of the 双随机 draws (一公开): a Chinese HTML page and its
JSON. Unauthenticated, so both routes are marked :data:`~proctor.api.public.PUBLIC`; what
they show is decided in :mod:`proctor.supervision.public_draws` (names only)."""

from __future__ import annotations

from html import escape
from string import Template

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from proctor.api.deps import SessionDep, SettingsDep
from proctor.api.public import PUBLIC
from proctor.supervision.oversight import DrawKind
from proctor.supervision.public_draws import PublicBatch, PublicDraw, public_draws

router = APIRouter(tags=["public"])
UNREVEALED = "未揭示"


@router.get("/api/public/draws", openapi_extra=PUBLIC)
def list_public_draws(db: SessionDep) -> list[PublicDraw]:
    """Every draw, newest first: batch, organisation, occupation, level, date, commitment,
    seed, snapshot hash and the drawn supervisors' names (or the inspected batches)."""
    return public_draws(db)


def _batch(b: PublicBatch | None) -> str:
    if b is None:
        return ""
    return escape(f"{b.filing_number or f'批次 {b.batch_id}'}（{b.organisation}，"
                  f"{b.occupation} {b.level}，{b.date or ''}）")


def _cells(*values: str) -> str:
    return "<tr>" + "".join(f"<td>{v}</td>" for v in values) + "</tr>"


def _proof(d: PublicDraw) -> tuple[str, str, str]:
    return (f"<code>{escape(d.commitment)}</code>",
            f"<code>{escape(d.seed)}</code>" if d.seed else UNREVEALED,
            f"<code>{escape(d.snapshot_sha256)}</code>")


def _supervisor_row(d: PublicDraw) -> str:
    b = d.batch
    assert b is not None  # a supervisor draw is for a batch
    return _cells(str(d.draw_id), escape(b.filing_number or f"批次 {b.batch_id}"),
                  escape(b.organisation), escape(f"{b.occupation}（{b.occupation_code}）"),
                  escape(b.level), escape(str(b.date or "")),
                  escape("、".join(d.supervisors)) if d.seed else UNREVEALED, *_proof(d))


def _inspection_row(d: PublicDraw) -> str:
    return _cells(str(d.draw_id), escape(d.period or ""),
                  "<br>".join(_batch(b) for b in d.on_site),
                  "<br>".join(_batch(b) for b in d.replay), *_proof(d))


@router.get("/public/draws", response_class=HTMLResponse, include_in_schema=False,
            openapi_extra=PUBLIC)
def public_draws_page(db: SessionDep, settings: SettingsDep) -> HTMLResponse:
    """The same results as a page anyone can read without JavaScript."""
    draws = list_public_draws(db)
    page = Template((settings.web_dir / "public_draws.html").read_text(encoding="utf-8"))
    return HTMLResponse(page.substitute(
        supervisor_rows="\n".join(_supervisor_row(d) for d in draws
                                  if d.kind is DrawKind.SUPERVISORS),
        inspection_rows="\n".join(_inspection_row(d) for d in draws
                                  if d.kind is DrawKind.INSPECTIONS)))
