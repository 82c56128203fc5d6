"""Whether an upload may be a business licence. Pure code."""

from __future__ import annotations

from ewtp.filetypes import sniff

LICENCE_MAX_BYTES = 5 * 1024 * 1024
LICENCE_KINDS = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg"}


def licence_problem(head: bytes, size: int) -> str | None:
    """Why a business-licence upload is refused, or None."""
    if size > LICENCE_MAX_BYTES:
        return f"The licence file is {size / 1024 / 1024:.1f} MB; upload at most 5 MB."
    if size == 0:
        return "The licence file is empty."
    if sniff(head) not in LICENCE_KINDS:
        return "Upload the licence as a PDF, PNG or JPEG file."
    return None
