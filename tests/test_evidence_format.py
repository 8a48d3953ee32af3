"""The canonical evidence zip: the same members always give the same bytes, whatever the
time, so the offline verifier can rebuild and compare them; announced sizes are enforced."""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from proctor.recording.evidence_format import (
    CHUNK_BYTES,
    FORMAT,
    FORMATS_READ,
    Member,
    file_chunks,
    sha256_hex,
    write_canonical_zip,
)


def member(name: str, data: bytes, chunk: int = 7) -> Member:
    return Member(name, len(data), (data[i:i + chunk] for i in range(0, len(data), chunk)))


def package(members: list[tuple[str, bytes]], chunk: int = 7) -> bytes:
    target = io.BytesIO()
    write_canonical_zip(target, (member(name, data, chunk) for name, data in members))
    return target.getvalue()


CONTENT = [("manifest.json", b'{"format": "proctor-evidence/2"}'),
           ("segments/1795000000000.ts", os.urandom(5000)), ("clip.mp4", b""),
           ("README.txt", "证据包 — evidence".encode())]


def test_same_members_same_bytes_however_chunked() -> None:
    assert package(CONTENT, chunk=1) == package(CONTENT, chunk=4096)


def test_members_keep_their_order_data_and_fixed_attributes() -> None:
    with zipfile.ZipFile(io.BytesIO(package(CONTENT))) as archive:
        infos = archive.infolist()
        assert [i.filename for i in infos] == [name for name, _ in CONTENT]
        for info, (_, data) in zip(infos, CONTENT, strict=True):
            assert archive.read(info) == data
            assert info.compress_type == zipfile.ZIP_STORED
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
            assert info.external_attr >> 16 == 0o100644
        assert archive.testzip() is None


def test_a_different_order_is_a_different_package() -> None:
    assert package(CONTENT) != package(list(reversed(CONTENT)))


@pytest.mark.parametrize("announced_delta", [-1, 1])
def test_a_member_whose_size_differs_from_its_announcement_is_refused(announced_delta: int
                                                                       ) -> None:
    data = b"x" * 100
    lying = Member("clip.mp4", len(data) + announced_delta, iter([data]))
    with pytest.raises(ValueError, match=f"100 bytes written, {lying.size} announced"):
        write_canonical_zip(io.BytesIO(), [lying])


def test_file_chunks_streams_and_hashes_on_the_way(tmp_path: Path) -> None:
    path = tmp_path / "segment.ts"
    data = os.urandom(CHUNK_BYTES * 2 + 3)
    path.write_bytes(data)
    digest = hashlib.sha256()
    chunks = list(file_chunks(path, digest))
    assert [len(c) for c in chunks] == [CHUNK_BYTES, CHUNK_BYTES, 3]
    assert b"".join(chunks) == data and digest.hexdigest() == sha256_hex(data)


def test_file_chunks_of_an_empty_file(tmp_path: Path) -> None:
    (tmp_path / "empty").write_bytes(b"")
    assert list(file_chunks(tmp_path / "empty")) == []


def test_a_streamed_package_matches_one_built_in_memory(tmp_path: Path) -> None:
    path = tmp_path / "clip.mp4"
    path.write_bytes(os.urandom(CHUNK_BYTES + 1))

    def from_file() -> Iterator[Member]:
        yield Member("clip.mp4", path.stat().st_size, file_chunks(path))

    streamed = io.BytesIO()
    write_canonical_zip(streamed, from_file())
    assert streamed.getvalue() == package([("clip.mp4", path.read_bytes())], chunk=CHUNK_BYTES)


def test_the_current_format_is_one_the_verifier_reads() -> None:
    assert FORMAT in FORMATS_READ and FORMATS_READ[0] == "proctor-evidence/1"
