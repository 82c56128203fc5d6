"""What a file really is, from its first bytes (the name and the browser's type can lie). Pure code."""

from __future__ import annotations

# detected kind -> (extension, content type)
KINDS = {"pdf": ("pdf", "application/pdf"), "png": ("png", "image/png"), "jpg": ("jpg", "image/jpeg"),
         "webp": ("webp", "image/webp")}


def sniff(head: bytes) -> str | None:
    """'pdf', 'png', 'jpg', 'webp' or None, from a file's first bytes."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None
