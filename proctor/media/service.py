"""The live media service: WHIP publishing into camera feeds, WHEP viewing from them."""

from __future__ import annotations

import logging

from aiortc import RTCRtpTransceiver
from aiortc.mediastreams import MediaStreamTrack

from proctor.errors import InvalidInput, NotFound
from proctor.media.delivery import choose_delivery
from proctor.media.fallback import StalledSubWatch, stream_to_watch, viewable_streams
from proctor.media.feed import CameraFeed, FeedRegistry, FeedStatus, Stream
from proctor.media.peer import apply_offer, create_answer, new_peer_connection
from proctor.media.playback import PlaybackHub
from proctor.media.sdp import parse_offer
from proctor.media.sessions import RtcSession, SessionKind, SessionRegistry, TooManySessions
from proctor.media.settings import MediaSettings
from proctor.rtc.encoded import tap_encoded
from proctor.rtc.h264 import offers_h264, prefer_h264
from proctor.rtc.prepacked import send_prepacked

logger = logging.getLogger(__name__)

SOURCE_WAIT_S = 5.0
"""How long a viewer of a camera that publishes but has sent no keyframe yet waits for one, so
the server can tell whether the viewer can take the camera's own H.264."""


def _receive_streams(transceivers: list[RTCRtpTransceiver],
                     camera_id: int) -> list[tuple[Stream, MediaStreamTrack]]:
    """Tap the offer's video tracks (H.264 then arrives undecoded), one per stream, and
    decline the rest: audio is not recorded (yet). A track says which stream it carries by
    its id (the track part of ``a=msid``: ``main`` or ``sub``, as the edge agent sends it);
    a track with another id (a browser, OBS) is the main stream. A second track for a stream
    already taken would otherwise be received and queued unread, so it is declined."""
    received: dict[Stream, MediaStreamTrack] = {}
    for transceiver in transceivers:
        track = transceiver.receiver.track
        name: Stream = "sub" if track.id == "sub" else "main"
        if transceiver.kind == "video" and name not in received:
            tap_encoded(transceiver.receiver)
            received[name] = track
        else:
            if transceiver.kind == "video":
                logger.warning("offer has a second video track for the %s stream: only the "
                               "first is received live", name, extra={"camera": camera_id})
            transceiver.direction = "inactive"
    return list(received.items())


class MediaService:
    """Owns feeds, playback encoders and sessions for the lifetime of the server."""

    def __init__(self, settings: MediaSettings) -> None:
        self.settings = settings
        self.feeds = FeedRegistry(settings.camera_offline_after_s)
        self.playback = PlaybackHub(self.feeds, settings.playback_encoder)
        self.sessions = SessionRegistry(settings.webrtc_setup_timeout_s)
        self.stalled_sub_watch = StalledSubWatch(self.feeds, self._end_sub_viewers)

    def _new_session(self, kind: SessionKind, camera_id: int, owner: str,
                     credential: str) -> RtcSession:
        pc = new_peer_connection(self.settings.ice_servers, self.settings.ice_transport_policy)
        session = RtcSession(kind=kind, camera_id=camera_id, owner=owner,
                             credential=credential, pc=pc)
        self.sessions.add(session)
        return session

    async def _answer(self, session: RtcSession) -> str:
        """Finish negotiation; on any error the half-built session is torn down."""
        try:
            return await create_answer(session.pc)
        except BaseException:
            await self.sessions.close(session.id)
            raise

    async def publish(self, camera_id: int, owner: str, credential: str,
                      body: bytes) -> tuple[RtcSession, str]:
        """Accept a WHIP offer. A new publisher replaces the camera's current one, but only
        once its offer is fully accepted and answered: a refused offer leaves the running
        publisher alone."""
        offer = parse_offer(body, self.settings.max_sdp_bytes, need_direction="send")
        session = self._new_session(SessionKind.WHIP, camera_id, owner, credential)
        try:
            await apply_offer(session.pc, offer)
            streams = _receive_streams(session.pc.getTransceivers(), camera_id)
        except BaseException:
            await self.sessions.close(session.id)
            raise
        answer = await self._answer(session)
        await self._replace_publisher(session, streams)
        logger.info("publisher connected, streams: %s",
                    ", ".join(name for name, _ in streams) or "none",
                    extra={"camera": camera_id, "session": session.id})
        return session, answer

    async def _replace_publisher(self, session: RtcSession,
                                 streams: list[tuple[Stream, MediaStreamTrack]]) -> None:
        """End the camera's other publishers and feed its streams from ``session``'s video."""
        for previous in self.sessions.find(SessionKind.WHIP, session.camera_id):
            if previous is not session:
                logger.warning("new publisher replaces the current one", extra={
                    "camera": session.camera_id, "replaced_session": previous.id})
                await self.sessions.close(previous.id)
        feeds = self.feeds.publish(session.camera_id, [name for name, _ in streams])
        if len(feeds) > 1:
            self.stalled_sub_watch.start()
        for feed, (_, track) in zip(feeds, streams, strict=True):
            feed.attach(track)

            async def _detach(feed: CameraFeed = feed, track: MediaStreamTrack = track) -> None:
                feed.detach(track)

            session.on_close.append(_detach)

    async def play(self, camera_id: int, owner: str, credential: str, body: bytes,
                   stream: Stream | None = None) -> tuple[RtcSession, str]:
        """Accept a WHEP offer for the camera's ``stream`` (None: its live feed, the sub
        stream when it publishes one; the main stream when the sub stream has stalled, see
        proctor/media/fallback.py): the viewer gets the camera's own H.264 if it can decode
        it, else the stream's shared transcoded picture."""
        offer = parse_offer(body, self.settings.max_sdp_bytes, need_direction="recv")
        if not offers_h264(offer):
            raise InvalidInput("viewer must accept H.264 video; the offer lists no H264 codec")
        asked, stream = stream, stream_to_watch(self.feeds, camera_id, stream)
        feed = self.feeds.stream(camera_id, stream)
        watching = self.sessions.owned(SessionKind.WHEP, owner)
        if watching >= self.settings.max_whep_sessions_per_user:
            raise TooManySessions(
                f"{watching} live views are open for this user, the most allowed "
                f"(PROCTOR_MAX_WHEP_SESSIONS_PER_USER): end one (DELETE its session) first")
        source = feed.source
        unknown = source is None or source.profile_level_id is None
        if unknown and feed.publishing:  # just published: a keyframe with its SPS is coming
            source = await feed.wait_source(SOURCE_WAIT_S)
        delivery = choose_delivery(offer, source, self.settings.forward_h264)
        session = self._new_session(SessionKind.WHEP, camera_id, owner, credential)
        try:
            track = self.playback.watch(camera_id, forward=delivery.forward, stream=stream)

            async def _unwatch() -> None:
                await self.playback.unwatch(camera_id, track)

            session.on_close.append(_unwatch)
            transceiver = session.pc.addTransceiver(track, direction="sendonly")
            # Codecs are fixed when the offer is applied, so restrict them beforehand.
            prefer_h264(transceiver)
            if delivery.forward:
                send_prepacked(transceiver.sender, self.playback.forward_delays_s.append)
            await apply_offer(session.pc, offer)
        except BaseException:
            await self.sessions.close(session.id)
            raise
        answer = await self._answer(session)
        session.stream = stream or next(iter(self.feeds.streams(camera_id)), None)
        logger.info("viewer connected to the %s stream%s, %s: %s", session.stream or "live",
                    " (the sub stream has stalled)" if stream != asked else "",
                    "forwarded" if delivery.forward else "transcoded", delivery.reason,
                    extra={"camera": camera_id, "session": session.id})
        return session, answer

    async def end(self, kind: SessionKind, camera_id: int, session_id: str, owner: str) -> None:
        """End a session on its owner's request (WHIP/WHEP ``DELETE``)."""
        session = self.sessions.get(session_id)
        if session is None or session.kind is not kind or session.camera_id != camera_id:
            raise NotFound(f"{kind.value} session {session_id} does not exist or has ended")
        if session.owner != owner:
            raise NotFound(f"{kind.value} session {session_id} does not exist or has ended")
        await self.sessions.close(session_id)

    async def _end_sub_viewers(self, camera_id: int) -> None:
        """End the sessions watching the camera's sub stream (it has stalled): their clients
        reconnect and get the main stream."""
        for session in self.sessions.find(SessionKind.WHEP, camera_id):
            if session.stream == "sub":
                logger.warning("sub stream stalled while the main stream goes on: ending its "
                               "viewer so it reconnects to the main stream",
                               extra={"camera": camera_id, "session": session.id})
                await self.sessions.close(session.id)

    def status(self, camera_id: int) -> FeedStatus:
        """The camera's live feed status (its main stream's while the sub stream stalls)."""
        return self.feeds.stream(camera_id, stream_to_watch(self.feeds, camera_id, None)).status()

    def streams(self, camera_id: int) -> tuple[Stream, ...]:
        """The streams a viewer can pick now, the default first (a stalled sub stream is not
        listed)."""
        return viewable_streams(self.feeds, camera_id)

    async def close(self) -> None:
        """Shut everything down (server stop)."""
        await self.stalled_sub_watch.close()
        await self.sessions.close_all()
        await self.playback.close()
        await self.feeds.close()
