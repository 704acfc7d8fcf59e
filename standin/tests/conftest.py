"""The stand-in's own tests, on the project's pytest plugin (ssmpatch_standin.pytest_plugin):
``endpoint`` is the session's stand-in, ``clean`` the same reset for one test."""

import sys
from pathlib import Path

import boto3
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ssmpatch_standin.pytest_plugin import *  # noqa: E402,F401,F403  (control, standin_url, standin, aws_env)


@pytest.fixture(scope="session")
def endpoint(standin_url):
    return standin_url


@pytest.fixture()
def clean(standin):
    return standin


@pytest.fixture()
def ssm(clean):
    return boto3.client("ssm", endpoint_url=clean, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


@pytest.fixture()
def s3(clean):
    from botocore.config import Config
    # moto on an IP endpoint needs path-style addressing (build-notes: "S3 needs path-style addressing").
    return boto3.client("s3", endpoint_url=clean, region_name="us-east-1", aws_access_key_id="testing",
                        aws_secret_access_key="testing", config=Config(s3={"addressing_style": "path"}))


@pytest.fixture()
def qs(clean):
    return boto3.client("ssm-quicksetup", endpoint_url=clean, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")
