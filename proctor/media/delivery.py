"""Per viewer: forward the camera's own H.264, or transcode through the shared encoder."""

from __future__ import annotations

from dataclasses import dataclass

from aiortc.sdp import H264Profile, SessionDescription

from proctor.media.feed import SourceInfo
from proctor.rtc.encoded import h264_profile

P = H264Profile
DECODABLE_BY: dict[H264Profile, frozenset[H264Profile]] = {
    P.PROFILE_CONSTRAINED_BASELINE: frozenset({
        P.PROFILE_CONSTRAINED_BASELINE, P.PROFILE_BASELINE, P.PROFILE_MAIN,
        P.PROFILE_CONSTRAINED_HIGH, P.PROFILE_HIGH}),
    P.PROFILE_BASELINE: frozenset({P.PROFILE_BASELINE}),
    P.PROFILE_MAIN: frozenset({P.PROFILE_MAIN, P.PROFILE_HIGH}),
    P.PROFILE_CONSTRAINED_HIGH: frozenset({P.PROFILE_CONSTRAINED_HIGH, P.PROFILE_HIGH}),
    P.PROFILE_HIGH: frozenset({P.PROFILE_HIGH}),
}
"""For a stream of each profile, the profiles whose decoders can play it."""


@dataclass(frozen=True)
class Delivery:
    """How one viewer gets a camera, and why (logged with the session)."""

    forward: bool
    reason: str


def offered_profiles(offer_sdp: str) -> set[H264Profile]:
    """The H.264 profiles a WHEP offer accepts (constrained baseline if it names none)."""
    profiles: set[H264Profile] = set()
    for media in SessionDescription.parse(offer_sdp).media:
        for codec in media.rtp.codecs if media.kind == "video" else []:
            if codec.name.upper() == "H264":
                level_id = str(codec.parameters.get("profile-level-id", "42e01f"))
                profile = h264_profile(level_id)
                if profile is not None:
                    profiles.add(profile)
    return profiles


def choose_delivery(offer_sdp: str, source: SourceInfo | None, forwarding: bool) -> Delivery:
    """Forward when the viewer can decode the camera's stream as it is; else transcode."""
    if not forwarding:
        return Delivery(False, "forwarding is switched off (PROCTOR_FORWARD_H264)")
    if source is None or source.profile_level_id is None:
        return Delivery(False, "the camera's H.264 profile is not known yet (no keyframe "
                               "with its SPS received, or it does not publish H.264)")
    if source.b_frames:
        return Delivery(False, "the camera sends B-frames")
    profile = h264_profile(source.profile_level_id)
    if profile is None or profile not in DECODABLE_BY:
        return Delivery(False, f"the camera's profile-level-id {source.profile_level_id} "
                               "is not one forwarding knows")
    offered = offered_profiles(offer_sdp)
    if not offered & DECODABLE_BY[profile]:
        names = ", ".join(sorted(p.name for p in offered)) or "none"
        return Delivery(False, f"the viewer accepts H.264 {names}, not the camera's "
                               f"{profile.name} ({source.profile_level_id})")
    return Delivery(True, f"the viewer accepts the camera's {profile.name} "
                          f"({source.profile_level_id})")
