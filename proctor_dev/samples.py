"""Real sample footage for the demo, tests and benchmarks (fetched, never committed).

The source is ``vtest.avi`` from Debian's ``opencv-doc`` package: 795 frames (79.5 s at
10 fps, 768x576, MS-MPEG4) of pedestrians. When the package is not installed, the .deb is
downloaded with ``apt-get download`` (no root needed) and only that file is extracted.
From it we derive an H.264 MP4 (baseline, no B-frames, 1 s GOP) to exercise pass-through.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

import av

logger = logging.getLogger(__name__)

SYSTEM_VTEST = Path("/usr/share/doc/opencv-doc/examples/data/vtest.avi")
DEB_MEMBER = "./usr/share/doc/opencv-doc/examples/data/vtest.avi"


class SampleError(RuntimeError):
    """Sample footage could not be obtained; the message says how to provide it."""


def _extract_from_deb(target: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        try:
            subprocess.run(["apt-get", "download", "opencv-doc"], cwd=tmp, check=True,
                           capture_output=True, timeout=600)
        except (OSError, subprocess.SubprocessError) as error:
            raise SampleError(
                "could not download Debian's opencv-doc for vtest.avi "
                f"({error}); install it with `apt-get install opencv-doc` or copy "
                f"vtest.avi to {target}"
            ) from error
        deb = next(Path(tmp).glob("opencv-doc_*.deb"))
        data = subprocess.run(["dpkg-deb", "--fsys-tarfile", str(deb)], check=True,
                              capture_output=True).stdout
        with tarfile.open(fileobj=__import__("io").BytesIO(data)) as tar:
            member = tar.extractfile(DEB_MEMBER)
            if member is None:
                raise SampleError(f"{deb.name} has no {DEB_MEMBER}")
            target.write_bytes(member.read())


def raw_sample(media_dir: Path) -> Path:
    """``vtest.avi`` in ``media_dir`` (copied from the system or extracted from the .deb)."""
    target = media_dir / "vtest.avi"
    if target.is_file():
        return target
    media_dir.mkdir(parents=True, exist_ok=True)
    if SYSTEM_VTEST.is_file():
        shutil.copyfile(SYSTEM_VTEST, target)
    else:
        logger.info("fetching vtest.avi from Debian's opencv-doc package")
        _extract_from_deb(target)
    return target


def h264_sample(media_dir: Path) -> Path:
    """An H.264 MP4 of the raw sample (made once), for pass-through publishing."""
    target = media_dir / "vtest-h264.mp4"
    if target.is_file():
        return target
    source = raw_sample(media_dir)
    partial = target.with_suffix(".partial.mp4")
    with av.open(str(source)) as inp, av.open(str(partial), "w") as out:
        in_stream = inp.streams.video[0]
        stream = out.add_stream("libx264", rate=in_stream.average_rate or 10)
        stream.width, stream.height, stream.pix_fmt = in_stream.width, in_stream.height, "yuv420p"
        stream.codec_context.profile = "Baseline"
        stream.codec_context.options = {"preset": "veryfast", "bf": "0", "g": "10", "crf": "23"}
        for frame in inp.decode(in_stream):
            frame.pts = None
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    partial.rename(target)
    return target
