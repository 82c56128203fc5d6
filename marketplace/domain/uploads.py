"""What an upload really is, from its first bytes (the name and the browser's type can lie). Pure code."""

from __future__ import annotations

LICENCE_MAX_BYTES = 5 * 1024 * 1024
LICENCE_KINDS = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg"}


def sniff(head: bytes) -> str | None:
    """'pdf', 'png', 'jpg', 'webp' or None from the first bytes of a file."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def licence_problem(head: bytes, size: int) -> str | None:
    """Why a business-licence upload is refused, or None."""
    if size > LICENCE_MAX_BYTES:
        return f"The licence file is {size / 1024 / 1024:.1f} MB; upload at most 5 MB."
    if size == 0:
        return "The licence file is empty."
    if sniff(head) not in LICENCE_KINDS:
        return "Upload the licence as a PDF, PNG or JPEG file."
    return None
