"""Listing photos: checked and re-encoded with Pillow. No ORM; returns Django ContentFiles."""

from __future__ import annotations

import io

from django.core.files.base import ContentFile

MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000  # decompression bombs stop here, before decoding
MIN_SIDE = 200
MAX_SIDE = 2000  # stored photos are scaled down to this
THUMB_SIZE = (400, 300)
FORMATS = {"JPEG", "PNG", "WEBP"}


def reencode(upload) -> tuple[ContentFile, ContentFile, tuple[int, int]]:
    """(photo, thumbnail, photo's (width, height)) as fresh JPEGs, or ValueError saying what is wrong with the upload."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if upload.size > MAX_BYTES:
        raise ValueError(f"{upload.name} is {upload.size / 1024 / 1024:.1f} MB; a photo may be at most 8 MB.")
    upload.seek(0)
    try:
        with Image.open(upload) as probe:
            if probe.format not in FORMATS:
                raise ValueError(f"{upload.name} is not a JPEG, PNG or WebP image.")
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise ValueError(f"{upload.name} has {width}×{height} pixels; at most 40 megapixels.")
            if min(width, height) < MIN_SIDE:
                raise ValueError(f"{upload.name} is {width}×{height}; photos need at least {MIN_SIDE} pixels a side.")
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            image = ImageOps.exif_transpose(image)
            image = image.convert("RGB")
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValueError(f"{upload.name} is not a readable JPEG, PNG or WebP image.") from exc
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    thumb = ImageOps.fit(image, THUMB_SIZE)
    return _jpeg(image, 85), _jpeg(thumb, 80), image.size


def _jpeg(image, quality: int) -> ContentFile:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=True)  # no exif= argument: metadata is dropped
    return ContentFile(out.getvalue())
