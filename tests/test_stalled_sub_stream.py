"""A camera's sub stream stops while its main stream goes on (its second RTSP channel died):
the media service ends the sub stream's viewers so they reconnect, gives the main stream to
viewers asking for sub or for the default, lists main only and reports the main stream's
status; when the sub stream comes back, it is the default again. Real libx264 access units go
into the feeds (no publisher peer); the viewers' offers are real aiortc offers."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
from support.stack import sdp_offer
from support.tracks import H264Camera
from support.wait import wait_until

from proctor.media.feed import Stream
from proctor.media.service import MediaService
from proctor.media.sessions import RtcSession
from proctor.media.settings import MediaSettings

CAMERA = 9
OFFLINE_AFTER_S = 0.5


@pytest.fixture
async def media() -> AsyncIterator[MediaService]:
    service = MediaService(MediaSettings(ice_servers=[], camera_offline_after_s=OFFLINE_AFTER_S))
    yield service
    await service.close()


async def _keep_sending(camera: H264Camera) -> None:
    while True:
        camera.send(1)
        await asyncio.sleep(1 / 15)


async def _stop(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def test_viewers_of_a_stalled_sub_stream_fall_back_to_the_main_stream(
        media: MediaService) -> None:
    sub_feed, main_feed = media.feeds.publish(CAMERA, ["sub", "main"])
    sub, main = H264Camera(sub_feed), H264Camera(main_feed)
    media.stalled_sub_watch.start()  # as a publisher of two streams starts it
    offer = (await sdp_offer("recvonly", codecs_h264_only=True)).encode()

    async def watch(stream: Stream | None) -> RtcSession:
        session, _ = await media.play(CAMERA, "user:1", "login", offer, stream)
        return session

    sending = [asyncio.create_task(_keep_sending(camera)) for camera in (sub, main)]
    try:
        assert await wait_until(lambda: sub_feed.status().online and main_feed.status().online, 10)
        on_sub, by_default, on_main = await watch("sub"), await watch(None), await watch("main")
        assert [on_sub.stream, by_default.stream, on_main.stream] == ["sub", "sub", "main"]
        assert media.streams(CAMERA) == ("sub", "main")

        # the sub stream sends nothing more; its viewers are ended, the main one's is not
        await _stop(sending[0])
        assert await wait_until(lambda: media.sessions.get(on_sub.id) is None
                                and media.sessions.get(by_default.id) is None, 10)
        assert media.sessions.get(on_main.id) is on_main
        assert not sub_feed.status().online
        assert media.streams(CAMERA) == ("main",)
        assert media.status(CAMERA).online, "the camera is live on its main stream"
        assert [(await watch("sub")).stream, (await watch(None)).stream] == ["main", "main"]

        # the sub stream comes back: it is the default again
        sub.send(12)
        assert await wait_until(lambda: media.streams(CAMERA) == ("sub", "main"), 10)
        assert (await watch("sub")).stream == "sub"
    finally:
        for task in sending:
            await _stop(task)


async def test_a_camera_with_one_stream_is_left_alone(media: MediaService) -> None:
    (feed,) = media.feeds.publish(CAMERA, ["sub"])
    H264Camera(feed).send(12)
    assert await wait_until(lambda: feed.status().online, 10)
    assert await wait_until(lambda: not feed.status().online, 10)
    assert media.streams(CAMERA) == ("sub",)  # nothing to fall back to: shown offline
    assert not media.status(CAMERA).online
