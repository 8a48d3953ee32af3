"""Edge analysis: an agent that detects on its own frames sends each camera's samples here
(device token; only the device's own cameras), and they go through the same rules, events
and alerts as the server's own analysis (:meth:`proctor.vision.analyzer.Analyzer.observe_edge`)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel

from proctor.api.camera_access import PublishableCamera
from proctor.api.deps import AnalyzerDep, SessionDep
from proctor.db.session import release_connection
from proctor.vision.observation import Observations

router = APIRouter(prefix="/api", tags=["analysis"])


class ObservationsTaken(BaseModel):
    """How many of the samples were applied (older ones than the camera's latest are not)."""

    taken: int
    skipped: int


@router.post("/cameras/{camera_id}/observations")
async def observe(camera: PublishableCamera, body: Observations,
                  analyzer: AnalyzerDep, db: SessionDep) -> ObservationsTaken:
    """Apply samples the camera's agent analysed; while they keep coming the server does not
    sample the camera itself. 409 when analysis is switched off on this server."""
    # the rules read the scene and write events with sessions of their own: holding this
    # request's connection meanwhile, a burst of observations took the whole pool and
    # waited on itself (bench fleet: every request of the node timed out after 30 s)
    release_connection(db)
    if analyzer is None:
        raise HTTPException(status.HTTP_409_CONFLICT,
                            detail="analysis is switched off on this server "
                                   "(PROCTOR_ANALYSIS_ENABLED=false): switch it on, or stop "
                                   "the agent's detection")
    taken = await analyzer.observe_edge(camera.id, body.observations)
    return ObservationsTaken(taken=taken, skipped=len(body.observations) - taken)
