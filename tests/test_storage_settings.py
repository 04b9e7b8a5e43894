"""AWS_STORAGE_BUCKET_NAME and friends switch the default storage to S3; a wrong value stops the start.

The parsing is one function of the settings (pbsm.settings.s3_storage) given the variables; one case
runs Django in a fresh interpreter to show the environment reaches STORAGES.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from pbsm.settings import S3_VARIABLES, s3_storage

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUCKET = {"AWS_STORAGE_BUCKET_NAME": "pbsm-reports"}


def test_without_a_bucket_files_stay_local():
    assert s3_storage({}) is None
    assert s3_storage({"AWS_STORAGE_BUCKET_NAME": "  "}) is None


def test_a_bucket_alone_uses_amazon_with_the_keys_boto3_finds_itself():
    storage = s3_storage(BUCKET)
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    options = storage["OPTIONS"]
    assert options["bucket_name"] == "pbsm-reports"
    assert "endpoint_url" not in options and "access_key" not in options
    # Private objects and, should a link ever be signed, one that expires within a minute.
    assert options["default_acl"] is None
    assert options["querystring_auth"] is True and options["querystring_expire"] == 60
    # A bucket that does not answer holds a download for seconds, not botocore's minutes.
    config = options["client_config"]
    assert (config.connect_timeout, config.read_timeout) == (3, 20)
    assert config.retries == {"max_attempts": 3, "mode": "standard"}
    assert config.signature_version == "s3v4"


def test_an_s3_compatible_store_with_keys():
    options = s3_storage(
        {
            **BUCKET,
            "AWS_S3_ENDPOINT_URL": "http://minio:9000",
            "AWS_S3_REGION_NAME": "eu-central-1",
            "AWS_ACCESS_KEY_ID": "key",
            "AWS_SECRET_ACCESS_KEY": "secret",
        }
    )["OPTIONS"]
    assert options["endpoint_url"] == "http://minio:9000"
    assert options["client_config"].s3 == {"addressing_style": "path"}
    assert options["region_name"] == "eu-central-1"
    assert (options["access_key"], options["secret_key"]) == ("key", "secret")


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"AWS_STORAGE_BUCKET_NAME": "Reports_2026"}, "AWS_STORAGE_BUCKET_NAME"),
        ({"AWS_STORAGE_BUCKET_NAME": "ab"}, "AWS_STORAGE_BUCKET_NAME"),
        ({"AWS_STORAGE_BUCKET_NAME": "pbsm..reports"}, "AWS_STORAGE_BUCKET_NAME"),
        ({"AWS_S3_ENDPOINT_URL": "http://minio:9000"}, "AWS_S3_ENDPOINT_URL"),
        ({"AWS_ACCESS_KEY_ID": "key"}, "AWS_ACCESS_KEY_ID"),
        ({**BUCKET, "AWS_S3_ENDPOINT_URL": "minio:9000"}, "AWS_S3_ENDPOINT_URL"),
        ({**BUCKET, "AWS_S3_ENDPOINT_URL": "ftp://minio"}, "AWS_S3_ENDPOINT_URL"),
        ({**BUCKET, "AWS_S3_REGION_NAME": "EU Central"}, "AWS_S3_REGION_NAME"),
        ({**BUCKET, "AWS_ACCESS_KEY_ID": "key"}, "AWS_SECRET_ACCESS_KEY"),
        ({**BUCKET, "AWS_SECRET_ACCESS_KEY": "secret"}, "AWS_ACCESS_KEY_ID"),
    ],
)
def test_a_wrong_value_fails_loudly_naming_the_variable(variables, named):
    with pytest.raises(ImproperlyConfigured, match=named):
        s3_storage(variables)


def test_the_environment_reaches_the_default_storage_and_a_bad_value_stops_the_start():
    script = (
        "import json, django; from django.conf import settings; django.setup();"
        "print(json.dumps(settings.STORAGES['default']['BACKEND']))"
    )
    base = {key: value for key, value in os.environ.items() if key not in S3_VARIABLES}
    base["DJANGO_SETTINGS_MODULE"] = "pbsm.settings"

    def run(extra):
        return subprocess.run(
            [sys.executable, "-c", script], cwd=PROJECT_ROOT, env={**base, **extra}, capture_output=True, text=True
        )

    started = run(BUCKET)
    assert started.returncode == 0, started.stderr
    assert json.loads(started.stdout.strip().splitlines()[-1]) == "storages.backends.s3.S3Storage"
    refused = run({"AWS_STORAGE_BUCKET_NAME": "Not A Bucket"})
    assert refused.returncode != 0
    assert "AWS_STORAGE_BUCKET_NAME" in refused.stderr
