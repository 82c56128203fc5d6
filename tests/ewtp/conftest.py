"""Fixtures of the object-storage tests: a real S3-compatible server (moto's, in this process) and its buckets."""

from __future__ import annotations

import json
import socket

import boto3
import pytest
from moto.server import ThreadedMotoServer

from ewtp.settings.object_storage import object_storages

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
PUBLIC, PRIVATE = "ewtp-media", "ewtp-private"
REGION = "eu-central-1"
S3_KEYS = {"AWS_ACCESS_KEY_ID": "test-key", "AWS_SECRET_ACCESS_KEY": "test-secret"}


@pytest.fixture(scope="module")
def s3_server():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def buckets(s3_server, settings, monkeypatch):
    """An S3 client on the server, with the two buckets made afresh, and the settings pointing at them."""
    for name, value in S3_KEYS.items():
        monkeypatch.setenv(name, value)
    client = boto3.client("s3", endpoint_url=s3_server, region_name=REGION)
    for bucket in (PUBLIC, PRIVATE):
        for item in client.list_objects_v2(Bucket=bucket).get("Contents", []) if _exists(client, bucket) else []:
            client.delete_object(Bucket=bucket, Key=item["Key"])
        if not _exists(client, bucket):
            client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    # the photos' bucket lets anyone read, as the operator sets it up (README, "Object storage")
    client.put_bucket_policy(Bucket=PUBLIC, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{PUBLIC}/*"}]}))
    settings.PRIVATE_URL_SECONDS = 120
    settings.STORAGES = {**settings.STORAGES, **object_storages(
        bucket=PUBLIC, private_bucket=PRIVATE, endpoint_url=s3_server, private_url_seconds=120)}
    return client


def _exists(client, bucket: str) -> bool:
    return any(b["Name"] == bucket for b in client.list_buckets()["Buckets"])
