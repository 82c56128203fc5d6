"""STORAGES entries for S3 or an S3-compatible server (MinIO, Ceph, R2, ...), read by base.py from the
environment and by the tests that run against a local S3 server."""

from __future__ import annotations


def object_storages(*, bucket: str, private_bucket: str, endpoint_url: str = "", region: str = "eu-central-1",
                    public_url: str = "", private_url_seconds: int = 300) -> dict[str, dict]:
    """The "default" storage (public photos: plain URLs, the bucket's policy lets anyone read) and the
    "private" one (a signed URL per download, expiring after `private_url_seconds`). Names are never
    overwritten, and no ACL is sent (buckets that enforce object ownership refuse ACLs)."""
    scheme, _, domain = public_url.partition("://")
    common = {"endpoint_url": endpoint_url or None, "region_name": region, "file_overwrite": False,
              "default_acl": None, "signature_version": "s3v4"}
    return {
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
            **common, "bucket_name": bucket, "querystring_auth": False,
            "custom_domain": domain.rstrip("/") or None, "url_protocol": f"{scheme or 'https'}:"}},
        "private": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
            **common, "bucket_name": private_bucket, "querystring_auth": True,
            "querystring_expire": private_url_seconds}},
    }


def media_origin(*, bucket: str, endpoint_url: str = "", public_url: str = "") -> str:
    """Where pages load photos from (for the Content-Security-Policy's img-src)."""
    if public_url:
        return public_url.rstrip("/")
    return endpoint_url.rstrip("/") if endpoint_url else f"https://{bucket}.s3.amazonaws.com"
