"""The Python API against the CLI's golden files (cli/tests/golden, written by cli/tests/it/golden.rs).

For every example plan: `validate`, `explain`, `calendar` and `render_override` with `after` equal
what `ssmpatch ... --from 2026-12-01T00:00:00Z` printed (its instants read as datetimes); on the stand-in, `plan()`, `apply()`,
`apply()` again and `destroy()` equal `ssmpatch plan|apply|destroy --json` once the AWS-generated
ids are replaced by the placeholders golden.rs uses (`normalise`, the same rules).

The live calls take no `after`: they read the clock. That changes nothing for a plan whose every
operation compiles to an exact recurring form (the resources carry no instant). A plan with an
operation on one-shot `at()` windows names and schedules those windows after the next runs, so its
live results are compared with every instant also replaced, by `<instant-N>` in order of first
appearance (`without_instants`): the same resources, fields and ids, at whatever dates "now" gives.

A result that legitimately differs from the CLI's (e.g. an exception where the CLI exits non-zero)
is pinned under python/tests/golden/<plan>/<step>.python.json instead; SSMPATCH_BLESS=1 rewrites
those files. The CLI's files are re-blessed with golden.rs.
"""

import difflib
import json
import os
import re
from datetime import datetime, timezone
from pathlib import Path

import boto3
import pytest

import ssmpatch
from helpers import cli_text_of, with_datetimes
from ssmpatch_standin.pytest_plugin import control

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.toml"))
CLI_GOLDEN = ROOT / "cli" / "tests" / "golden"
PY_GOLDEN = Path(__file__).resolve().parent / "golden"
FROM = datetime(2026, 12, 1, tzinfo=timezone.utc)
BLESS = os.environ.get("SSMPATCH_BLESS") == "1"

_W = r"(?<![A-Za-z0-9]){}(?![A-Za-z0-9])"
_HEX = "[0-9a-fA-F]"
_ID = re.compile("|".join([
    _W.format(f"(?P<mw>mw-{_HEX}{{17}})"),
    _W.format(f"(?P<pb>pb-{_HEX}{{17}})"),
    _W.format(f"(?P<uuid>{_HEX}{{8}}(?:-{_HEX}{{4}}){{3}}-{_HEX}{{12}})") + r"(?:\|(?P<qs>[A-Za-z0-9]+))?",
]))
_INSTANT = re.compile(r"(\d{4})-?(\d{2})-?(\d{2})T(\d{2}):?(\d{2})(?::(\d{2}))?")


def _numbered(pattern, text, key):
    """Replace each match of `pattern` by `<kind-N>`, N counted per kind in order of first appearance."""
    seen = {}

    def name(kind, value):
        if (kind, value) not in seen:
            seen[(kind, value)] = f"<{kind}-{sum(1 for k, _ in seen if k == kind) + 1}>"
        return seen[(kind, value)]

    return pattern.sub(lambda m: key(m, name), text)


def normalise(text):
    """golden.rs's `normalise`: mw-/pb- ids, UUIDs and the Quick Setup id after `ARN|`."""
    def replace(m, name):
        kind = m.lastgroup if m.lastgroup != "qs" else "uuid"
        out = name(kind, m.group(kind))
        return out + ("|" + name("qs", m.group("qs")) if m.group("qs") else "")
    return _numbered(_ID, text, replace)


def without_instants(text):
    """Every instant (`2026-12-19T18:00:00`, `20261219T1800`) → `<instant-N>`, one N per minute."""
    return _numbered(_INSTANT, text, lambda m, name: name("instant", m.groups()[:5]))


def as_cli_text(value):
    """A Python result as `ssmpatch --json` prints it (serde_json's pretty form)."""
    return json.dumps(value, indent=2, ensure_ascii=False, default=cli_text_of) + "\n"


def cli_golden(stem, name):
    path = CLI_GOLDEN / stem / f"{name}.json"
    if not path.exists():
        pytest.fail(f"{path} is missing; bless golden.rs first: "
                    "SSMPATCH_BLESS=1 cargo test -p ssmpatch-cli --test it golden -- --include-ignored")
    return path.read_text()


def python_golden(stem, name, value):
    """Pin a Python-only result under python/tests/golden."""
    path = PY_GOLDEN / stem / f"{name}.python.json"
    text = as_cli_text(value)
    if BLESS:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    assert path.exists(), f"{path} is missing: bless with SSMPATCH_BLESS=1"
    assert json.loads(text) == json.loads(path.read_text()), f"{path} differs"


@pytest.fixture(params=EXAMPLES, ids=lambda p: p.stem)
def example(request):
    return request.param


def test_offline_results_equal_the_cli_golden_files(example):
    plan = ssmpatch.Plan.load(example)
    validate = json.loads(cli_golden(example.stem, "validate"))
    assert plan.validate(after=FROM) == validate["warnings"]
    assert plan.explain(after=FROM) == with_datetimes(json.loads(cli_golden(example.stem, "explain")))
    assert plan.calendar(count=12, after=FROM) == with_datetimes(json.loads(cli_golden(example.stem, "calendar")))
    renders = sorted(CLI_GOLDEN.joinpath(example.stem).glob("override-render-*.json"))
    for path in renders:
        assert plan.render_override(path.stem.removeprefix("override-render-")) == path.read_text(), path


def test_live_results_equal_the_cli_golden_files(example, aws_env):
    control(aws_env, "/_ssmpatch/quick-setup-roles", "POST", {})
    boto3.client("s3", endpoint_url=aws_env, region_name="ap-northeast-1").create_bucket(
        Bucket="web-patching-artifacts", CreateBucketConfiguration={"LocationConstraint": "ap-northeast-1"})
    plan = ssmpatch.Plan.load(example)
    exact = all(op["compiled"]["result"] == "exact" for op in plan.explain(after=FROM)["operations"])
    clock_free = normalise if exact else (lambda t: without_instants(normalise(t)))
    steps = [("plan", plan.plan), ("apply", plan.apply), ("apply-again", plan.apply), ("destroy", plan.destroy)]
    for name, call in steps:
        if (CLI_GOLDEN / example.stem / f"{name}.txt").exists():
            # The CLI failed here (exit code and stderr pinned): Python raises; its error is pinned apart.
            with pytest.raises(ssmpatch.AwsError) as e:
                call(endpoint_url=aws_env)
            report = getattr(e.value, "report", None)
            error = {"error": type(e.value).__name__, "message": str(e.value), "report": report}
            python_golden(example.stem, name, json.loads(normalise(as_cli_text(error))))
            continue
        got, expected = clock_free(as_cli_text(call(endpoint_url=aws_env))), clock_free(cli_golden(example.stem, name))
        diff = difflib.unified_diff(expected.splitlines(True), got.splitlines(True), "golden", "python", n=3)
        assert json.loads(got) == json.loads(expected), \
            f"cli/tests/golden/{example.stem}/{name}.json differs:\n" + "".join(list(diff)[:40])


def test_normalise_matches_golden_rs():
    t = ("mw-0123456789abcdef0 pb-0123456789abcdef1 mw-fedcba98765432100 mw-0123456789abcdef0 "
         "arn:x:configuration-manager/0f8fad5b-d9cb-469f-a165-70867728950e|ab1c2 "
         "xmw-0123456789abcdef0 mw-0123456789abcdef0a 7c9e6679-7425-40de-944b-e07fc1f90ae7 é")
    assert normalise(t) == ("<mw-1> <pb-1> <mw-2> <mw-1> arn:x:configuration-manager/<uuid-1>|<qs-1> "
                            "xmw-0123456789abcdef0 mw-0123456789abcdef0a <uuid-2> é")
    assert without_instants("a-20261219T1800 at(2026-12-19T18:00:00) at(2027-01-23T18:00:00)") == \
        "a-<instant-1> at(<instant-1>) at(<instant-2>)"
