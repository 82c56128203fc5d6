"""Private files: a Django storage outside MEDIA_ROOT (never served by /media/), random names,
types told by the bytes, and one way to hand a file to a user who may see it.

Customs documents, business licences and shipment papers live here; listing photos stay in the
default (public) storage. PRIVATE_STORAGE names the storage alias; with S3_BUCKET and
S3_PRIVATE_BUCKET set (ewtp/settings/base.py) both live on object storage instead, and a private file
is handed out as a signed URL that expires.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.deconstruct import deconstructible
from django.utils.functional import LazyObject, cached_property, empty

from ewtp.filetypes import KINDS, sniff


def sniff_upload(upload) -> str | None:
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    return sniff(head)


def random_name(folder: str, kind: str) -> str:
    """A storage name nobody can guess, with the extension of the detected kind (never the uploader's)."""
    return f"{folder}/{uuid.uuid4().hex}.{KINDS[kind][0]}"


@deconstructible
class PrivateFileSystemStorage(FileSystemStorage):
    """Files under PRIVATE_MEDIA_ROOT, with no URL: they are served only by views that check access."""

    def __init__(self, location=None, **kwargs):
        kwargs.pop("base_url", None)
        super().__init__(location=location, base_url=None, **kwargs)

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def url(self, name):
        raise ValueError("Private files have no public URL; serve them through a view that checks access.")


class _PrivateStorage(LazyObject):
    """storages[PRIVATE_STORAGE], looked up when first used and again after STORAGES changes (as Django
    does for default_storage), so that a FileField, which keeps the storage its class was made with,
    follows the settings."""

    def _setup(self):
        self._wrapped = storages[getattr(settings, "PRIVATE_STORAGE", "private")]


_private = _PrivateStorage()


@receiver(setting_changed)
def _storages_changed(*, setting, **kwargs):
    if setting in ("STORAGES", "PRIVATE_STORAGE"):
        _private._wrapped = empty


def private_storage():
    """The private storage (a callable, so migrations name it rather than a backend)."""
    return _private


def private_file_response(file, *, filename: str):
    """A private file as a download: attachment, type from its bytes, nosniff, never cached by others.
    From object storage, a redirect to a URL signed for this download that expires after
    PRIVATE_URL_SECONDS: the caller has checked who asks, and the bytes go straight from the bucket."""
    from django.http import FileResponse, HttpResponseRedirect

    if _signs_urls(file.storage):
        response = HttpResponseRedirect(file.storage.url(file.name, expire=settings.PRIVATE_URL_SECONDS, parameters={
            "ResponseContentDisposition": f'attachment; filename="{filename}"',
            "ResponseCacheControl": "private, no-store"}))
        response["Cache-Control"] = "private, no-store"
        return response

    handle = file.open("rb")
    kind = sniff(handle.read(16))
    handle.seek(0)
    content_type = KINDS[kind][1] if kind else "application/octet-stream"
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _signs_urls(storage) -> bool:
    """Whether the storage is an object store that signs a URL per download (the private S3 bucket)."""
    from storages.backends.s3 import S3Storage  # boto3: imported only when a private file is served

    return isinstance(storage, S3Storage) and storage.querystring_auth


def private_bytes_response(data: bytes, *, filename: str):
    """Bytes made on request (a shipment's PDF) served the same way."""
    from django.http import HttpResponse

    kind = sniff(data[:16])
    response = HttpResponse(data, content_type=KINDS[kind][1] if kind else "application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def move_public_to_private(name: str, folder: str) -> str:
    """For the data migrations: a file the public storage held (under a guessable name) moved to the
    private storage under a random one. Returns the new name ('' if the file is gone)."""
    from django.core.files.storage import default_storage

    if not name:
        return ""
    private = private_storage()
    if private.exists(name) and not default_storage.exists(name):
        return name  # moved already
    if not default_storage.exists(name):
        return ""
    with default_storage.open(name, "rb") as handle:
        kind = sniff(handle.read(16)) or "bin"
        handle.seek(0)
        new = private.save(random_name(folder, kind) if kind in KINDS else f"{folder}/{uuid.uuid4().hex}.bin",
                           handle)
    default_storage.delete(name)
    return new
