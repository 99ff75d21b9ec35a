"""Recognise a video container from its first bytes (never from a name or a MIME type).

- ISO-BMFF (MP4 / QuickTime): the file starts with an ``ftyp`` box; its major brand
  ``qt  `` means QuickTime (``mov``), a known MP4/3GP video brand among the major or
  compatible brands means ``mp4``. Image and audio-only brands (HEIF, AVIF, M4A) are not
  videos.
- EBML (WebM / Matroska): the file starts with ``1A 45 DF A3``; the header's ``DocType``
  element must be ``webm`` or ``matroska``. Both are reported as ``webm`` (the contract's
  container vocabulary).

Limitations: this only checks the container's signature; the action server probes the
streams (codec, size, duration) in a limited subprocess before anything decodes it.
Old QuickTime files without an ``ftyp`` box are not accepted.
"""

from __future__ import annotations

import struct

SNIFF_BYTES = 4096

MP4_BRANDS = frozenset(
    {
        b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"iso7", b"iso8", b"iso9",
        b"mp41", b"mp42", b"mp71", b"avc1", b"hvc1", b"dash", b"M4V ", b"M4VH", b"M4VP",
        b"mmp4", b"MSNV", b"3gp4", b"3gp5", b"3gp6", b"3gp7", b"3gp8", b"3gp9", b"3g2a",
        b"3g2b", b"3g2c", b"f4v ", b"XAVC", b"CAEP",
    }
)  # fmt: skip
NOT_VIDEO_BRANDS = frozenset(
    {b"M4A ", b"M4B ", b"M4P ", b"heic", b"heix", b"heim", b"heis", b"mif1", b"msf1",
     b"avif", b"avis", b"crx ", b"jp2 ", b"jpx "}
)  # fmt: skip
QUICKTIME_BRAND = b"qt  "
EBML_MAGIC = b"\x1a\x45\xdf\xa3"
EBML_DOCTYPE_ID = 0x4282
EBML_DOCTYPES = {b"webm": "webm", b"matroska": "webm"}


def sniff_container(head: bytes) -> str | None:
    """Names the container of a file from its first bytes.

    Args:
        head: the first bytes of the file (``SNIFF_BYTES`` are enough).

    Returns:
        ``"mp4"``, ``"mov"`` or ``"webm"``, or ``None`` if it is not a supported video.
    """
    if head[4:8] == b"ftyp":
        return _iso_bmff(head)
    if head.startswith(EBML_MAGIC):
        return _ebml(head)
    return None


def _iso_bmff(head: bytes) -> str | None:
    (size,) = struct.unpack(">I", head[:4])
    if size < 16 or size > len(head) or (size - 16) % 4:
        return None
    major = head[8:12]
    brands = {major} | {head[i : i + 4] for i in range(16, size, 4)}
    if major == QUICKTIME_BRAND:
        return "mov"
    if major in NOT_VIDEO_BRANDS:
        return None
    if brands & MP4_BRANDS:
        return "mp4"
    if QUICKTIME_BRAND in brands:
        return "mov"
    return None


def _read_vint(data: bytes, pos: int, keep_marker: bool) -> tuple[int, int]:
    """Reads an EBML variable-length integer; returns (value, next position)."""
    if pos >= len(data):
        raise ValueError("truncated")
    first = data[pos]
    length = 1
    mask = 0x80
    while length <= 8 and not first & mask:
        length += 1
        mask >>= 1
    if length > 8 or pos + length > len(data):
        raise ValueError("bad vint")
    value = first if keep_marker else first & (mask - 1)
    for byte in data[pos + 1 : pos + length]:
        value = (value << 8) | byte
    return value, pos + length


def _ebml(head: bytes) -> str | None:
    try:
        header_size, pos = _read_vint(head, 4, keep_marker=False)
        end = min(pos + header_size, len(head))
        while pos < end:
            element_id, pos = _read_vint(head, pos, keep_marker=True)
            size, pos = _read_vint(head, pos, keep_marker=False)
            if element_id == EBML_DOCTYPE_ID:
                return EBML_DOCTYPES.get(head[pos : pos + size].rstrip(b"\x00"))
            pos += size
    except ValueError:
        return None
    return None
