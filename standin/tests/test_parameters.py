"""Parameter Store as ssmpatch's plan lease needs it (handlers/parameters.py): atomic create and
version increments, AWS's name rules and the Standard tier's 4 KB value."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
import botocore.exceptions
import pytest
from moto.ssm import models as m

from ssmpatch_standin import handlers


def _code(e):
    return e.response["Error"]["Code"]


def _put(ssm, name, value="v", overwrite=False):
    return ssm.put_parameter(Name=name, Value=value, Type="String", Overwrite=overwrite) if not overwrite \
        else ssm.put_parameter(Name=name, Value=value, Overwrite=True)


# --- atomicity, in the stand-in's own process: moto's check-then-append made slow, so that a race
# between two threads is certain when nothing serializes them -------------------------------------

@pytest.fixture()
def slow_backend(monkeypatch):
    handlers.install()
    made = m.Parameter.__init__

    def slow(self, *args, **kwargs):
        time.sleep(0.05)   # between moto's "does it exist / which version" and its append
        made(self, *args, **kwargs)

    monkeypatch.setattr(m.Parameter, "__init__", slow)
    return m.SimpleSystemManagerBackend("us-east-1", "123456789012")


def _backend_put(b, name, value, overwrite):
    return b.put_parameter(name, None, value, "String" if not overwrite else None, None, None, overwrite, None,
                           "text", tier=None, policies=None)


def test_concurrent_creates_in_process_exactly_one_wins(slow_backend):
    def create(i):
        try:
            return _backend_put(slow_backend, "/lease/ssmpatch/p", f"holder-{i}", False).version
        except m.ParameterAlreadyExists:
            return None

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(create, range(8)))
    assert [o for o in outcomes if o is not None] == [1], outcomes
    assert len(slow_backend._parameters["/lease/ssmpatch/p"]) == 1


def test_concurrent_overwrites_in_process_get_consecutive_versions(slow_backend):
    _backend_put(slow_backend, "/lease/ssmpatch/p", "first", False)
    with ThreadPoolExecutor(8) as pool:
        versions = list(pool.map(lambda i: _backend_put(slow_backend, "/lease/ssmpatch/p", f"w{i}", True).version,
                                 range(8)))
    assert sorted(versions) == list(range(2, 10)), versions


# --- through the server, as ssmpatch calls it ---------------------------------------------------

def test_concurrent_creates_from_threads_exactly_one_wins(clean):
    def create(i):
        c = boto3.client("ssm", endpoint_url=clean, region_name="us-east-1", aws_access_key_id="testing",
                         aws_secret_access_key="testing")
        try:
            return _put(c, "/lease/ssmpatch/web", f"holder-{i}")["Version"]
        except botocore.exceptions.ClientError as e:
            return _code(e)

    start = threading.Barrier(6)

    def at_once(i):
        start.wait()
        return create(i)

    with ThreadPoolExecutor(6) as pool:
        outcomes = list(pool.map(at_once, range(6)))
    assert outcomes.count(1) == 1, outcomes
    assert sorted(o for o in outcomes if o != 1) == ["ParameterAlreadyExists"] * 5


def test_versions_count_writes_and_delete_forgets_them(ssm):
    assert _put(ssm, "/lease/ssmpatch/web")["Version"] == 1
    with pytest.raises(botocore.exceptions.ClientError) as e:
        _put(ssm, "/lease/ssmpatch/web")
    assert _code(e.value) == "ParameterAlreadyExists"
    assert _put(ssm, "/lease/ssmpatch/web", "two", overwrite=True)["Version"] == 2
    assert _put(ssm, "/lease/ssmpatch/web", "three", overwrite=True)["Version"] == 3
    got = ssm.get_parameter(Name="/lease/ssmpatch/web")["Parameter"]
    assert (got["Value"], got["Version"]) == ("three", 3)
    ssm.delete_parameter(Name="/lease/ssmpatch/web")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ssm.get_parameter(Name="/lease/ssmpatch/web")
    assert _code(e.value) == "ParameterNotFound"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        ssm.delete_parameter(Name="/lease/ssmpatch/web")
    assert _code(e.value) == "ParameterNotFound"
    # Created again, it starts at version 1.
    assert _put(ssm, "/lease/ssmpatch/web")["Version"] == 1


def test_a_standard_value_holds_at_most_4096_characters(ssm):
    assert _put(ssm, "/lease/ssmpatch/big", "x" * 4096)["Version"] == 1
    for overwrite in (False, True):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            _put(ssm, "/lease/ssmpatch/big" if overwrite else "/lease/ssmpatch/big2", "x" * 4097, overwrite)
        assert _code(e.value) == "ValidationException"
        assert "4096" in str(e.value)
    assert ssm.get_parameter(Name="/lease/ssmpatch/big")["Parameter"]["Version"] == 1


def test_names_follow_aws_rules(ssm):
    fifteen = "/" + "/".join(f"L{i}" for i in range(1, 15)) + "/name"
    assert _put(ssm, fifteen)["Version"] == 1
    for bad, code in [
        ("/ssmpatch/lease/web", "ValidationException"),   # prefixed with "ssm"
        ("/lease/ss mpatch/web", "ValidationException"),   # a space between characters
        ("/lease/web$", "ValidationException"),
        ("/lease//web", "ValidationException"),
        ("/" + "/".join(f"L{i}" for i in range(1, 16)) + "/name", "HierarchyLevelLimitExceededException"),
        ("/lease/" + "x" * 1000, "ValidationException"),   # with the ARN before it, over 1011
    ]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            _put(ssm, bad)
        assert _code(e.value) == code, bad
    assert ssm.describe_parameters()["Parameters"][0]["Name"] == fifteen
    assert len(ssm.describe_parameters()["Parameters"]) == 1
