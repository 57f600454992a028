"""Uploaded scans (PDF, JPG, PNG) are recognised by their content, and stored and served with the extension
of what they are, never the name they came with: a "PDF" that is really HTML is refused, and a PDF named
`surat.html` is stored and downloaded as `surat.pdf` with `application/pdf`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class ScanType:
    content_type: str
    suffix: str


SCAN_TYPES: dict[bytes, ScanType] = {
    b"%PDF-": ScanType("application/pdf", "pdf"),
    b"\x89PNG\r\n\x1a\n": ScanType("image/png", "png"),
    b"\xff\xd8\xff": ScanType("image/jpeg", "jpg"),
}
SUFFIX_BY_CONTENT_TYPE = {kind.content_type: kind.suffix for kind in SCAN_TYPES.values()}


def detect_scan(head: bytes) -> ScanType | None:
    """The type of a scan from its first bytes, or None when it is not a PDF, PNG or JPG."""
    for magic, kind in SCAN_TYPES.items():
        if head.startswith(magic):
            return kind
    return None


def stored_name(stem: str, kind: ScanType) -> str:
    """A storage name for a scan: a plain stem and the detected type's extension."""
    return f"{_plain(stem) or 'berkas'}.{kind.suffix}"


def download_name(original: str, content_type: str) -> str:
    """The file name offered on download: the original name's stem with the extension of the stored type."""
    suffix = SUFFIX_BY_CONTENT_TYPE.get(content_type, "bin")
    stem = original.rsplit("/", 1)[-1]
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    return f"{_plain(stem) or 'dokumen'}.{suffix}"


def _plain(stem: str) -> str:
    return re.sub(r"[^\w\- ]+", "_", stem, flags=re.UNICODE).strip(" ._")[:80]
