"""One failure, one answer: each failure class through the CLI (`explain`, `plan`, `apply`) and
Python (`explain()`, `plan()`) gives one exit code and one exception class, whichever path meets
it. The table is the contract (README: "Exit codes" and "Errors in Python").

`explain` is offline: rows about AWS leave it untouched (exit 0, no exception), which is part of
the contract too.
"""

import os
import subprocess
from pathlib import Path

import pytest

import ssmpatch

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
CLI = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "debug/ssmpatch"
UNREACHABLE = "http://127.0.0.1:9"


def _plan_file(tmp_path, name, compliance=None):
    """seed-placed.toml, with another `[compliance]` section when given."""
    text = (EXAMPLES / "seed-placed.toml").read_text()
    if compliance is not None:
        head, _, rest = text.partition("[compliance]")
        tail = rest[rest.index("[s3]"):]
        text = f"{head}[compliance]\n{compliance}\n\n{tail}"
    path = tmp_path / name
    path.write_text(text)
    return path


def _bad_plan(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text((EXAMPLES / "seed-placed.toml").read_text().replace('version = 1', 'version = 7', 1))
    return path


# Each row: a name, how to make its plan file (tmp_path → path), which endpoint to use ("stand-in"
# or a URL), the extra CLI arguments, and per path the expected exit code / exception class
# (`None`: succeeds). The `operation` row uses the commands that take an operation.
ROWS = [
    ("bad plan", _bad_plan, "stand-in",
     {"explain": 2, "plan": 2, "apply": 2}, {"explain": ssmpatch.PlanError, "plan": ssmpatch.PlanError}),
    ("missing plan file", lambda t: t / "nowhere.toml", "stand-in",
     {"explain": 2, "plan": 2, "apply": 2}, {"explain": ssmpatch.PlanNotFound, "plan": ssmpatch.PlanNotFound}),
    ("unknown strategy", lambda t: _plan_file(t, "s.toml", f'strategy = "{t / "gone.wasm"}"'), "stand-in",
     {"explain": 2, "plan": 2, "apply": 2}, {"explain": ssmpatch.StrategyError, "plan": ssmpatch.StrategyError}),
    ("strategy fails in the sandbox", lambda t: _plan_file(t, "m.toml", 'strategy = "rescan"\nlimits = { memory-mib = 1 }'),
     "stand-in", {"explain": 2, "plan": 2, "apply": 2},
     {"explain": ssmpatch.StrategyError, "plan": ssmpatch.StrategyError}),
    # The stand-in has no bucket `web-patching-artifacts`: S3 answers NoSuchBucket.
    ("AWS error", lambda t: EXAMPLES / "seed-placed.toml", "stand-in",
     {"explain": 0, "plan": 3, "apply": 3}, {"explain": None, "plan": ssmpatch.AwsError}),
    ("unreachable endpoint", lambda t: EXAMPLES / "seed-placed.toml", UNREACHABLE,
     {"explain": 0, "plan": 3, "apply": 3}, {"explain": None, "plan": ssmpatch.AwsError}),
]


def _cli(url, *args):
    if not CLI.exists():
        pytest.fail(f"needs the CLI at {CLI} (cargo build -p ssmpatch-cli; scripts/test.sh builds it)")
    env = dict(os.environ, AWS_ENDPOINT_URL=url, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
               AWS_EC2_METADATA_DISABLED="true", NO_COLOR="1")
    env.pop("AWS_PROFILE", None)
    return subprocess.run([str(CLI), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def _python(path, what, url):
    def run():
        plan = ssmpatch.Plan.load(path)
        if what == "explain":
            return plan.explain()
        return plan.plan(endpoint_url=url)
    return run


@pytest.mark.parametrize("row", ROWS, ids=[r[0] for r in ROWS])
def test_each_failure_has_one_exit_code_and_one_exception_class(row, aws_env, tmp_path):
    name, make, endpoint, codes, classes = row
    url = aws_env if endpoint == "stand-in" else endpoint
    path = make(tmp_path)
    for command, want in codes.items():
        args = [command, str(path)] + (["--yes"] if command == "apply" else [])
        out = _cli(url, *args)
        assert out.returncode == want, f"{name}: ssmpatch {command} exited {out.returncode}\n{out.stderr}"
        if want:
            assert out.stderr.startswith("error: "), f"{name}: {command}: {out.stderr}"
    for what, cls in classes.items():
        if cls is None:
            _python(path, what, url)()
            continue
        with pytest.raises(ssmpatch.SsmpatchError) as info:
            _python(path, what, url)()
        assert type(info.value) is cls, f"{name}: {what}() raised {type(info.value).__name__}: {info.value}"


def test_an_unknown_operation_is_invalid_input_on_every_path(aws_env):
    """Commands that take an operation: `override render` and `refresh` (CLI), `render_override()`
    and `refresh()` (Python) — exit 2 and `InvalidArgument`, before any AWS call."""
    plan = EXAMPLES / "seed-placed.toml"
    for args in (["override", "render", str(plan), "--operation", "nope"],
                 ["refresh", str(plan), "--operation", "nope"]):
        out = _cli(UNREACHABLE, *args)
        assert out.returncode == 2 and "no operation" in out.stderr and "\nhint: " in out.stderr, (args, out.stderr)
    p = ssmpatch.Plan.load(plan)
    for call in (lambda: p.render_override("nope"), lambda: p.refresh(operation="nope", endpoint_url=UNREACHABLE)):
        with pytest.raises(ssmpatch.InvalidArgument, match="no operation"):
            call()
