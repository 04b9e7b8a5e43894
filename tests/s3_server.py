"""An S3-compatible server for the storage tests: moto in server mode on a free loopback port.

One server per test session (it starts in well under a second); each test takes a bucket of its
own, so no test sees another's objects. The keys are moto's dummies: it accepts any.
"""

import logging
import uuid

import boto3
import pytest
from botocore.config import Config

ACCESS_KEY = "testing-access-key"
SECRET_KEY = "testing-secret-key"
REGION = "us-east-1"


# Registered under their fixture names; a test module imports the functions (names that cannot
# clash with the fixtures' parameters): from .s3_server import s3_bucket_fixture, s3_endpoint_fixture
@pytest.fixture(scope="session", name="s3_endpoint")
def s3_endpoint_fixture():
    from moto.server import ThreadedMotoServer

    # The server logs every request at INFO through werkzeug: noise in a failing test's output.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def s3_environment(endpoint: str, bucket: str) -> dict[str, str]:
    """The variables a process is started with to keep its files in `bucket` (pbsm/settings.py)."""
    return {
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "AWS_S3_ENDPOINT_URL": endpoint,
        "AWS_S3_REGION_NAME": REGION,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
    }


def s3_client(endpoint: str):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        config=Config(retries={"max_attempts": 1}),
    )


@pytest.fixture(name="s3_bucket")
def s3_bucket_fixture(s3_endpoint):
    """A fresh, empty bucket; `keys()` lists what it holds."""
    client = s3_client(s3_endpoint)
    name = f"pbsm-test-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=name)

    class Bucket:
        endpoint = s3_endpoint

        def __init__(self):
            self.name = name
            self.client = client

        def keys(self) -> list[str]:
            listed = client.list_objects_v2(Bucket=name)
            return sorted(item["Key"] for item in listed.get("Contents", []))

        def read(self, key: str) -> bytes:
            return client.get_object(Bucket=name, Key=key)["Body"].read()

    return Bucket()
