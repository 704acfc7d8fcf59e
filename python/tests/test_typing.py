"""The package's types are checked by the tests: `python -m mypy.stubtest ssmpatch` (the stubs of
the native module and the typed Python modules agree with what is imported at run time) and
`mypy --strict examples/python/*.py` (the examples type-check against them) report nothing; and
examples/python/flow.py, the whole flow, runs against the stand-in. mypy is pinned in
python/requirements-dev.txt."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples/python").glob("*.py"))


def _config(tmp_path):
    """An empty mypy configuration (no setup.cfg or pyproject.toml of a parent directory applies)."""
    path = tmp_path / "mypy.ini"
    path.write_text("[mypy]\n")
    return str(path)


def _run(args, cwd, env=None, timeout=300):
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def _only_success(out):
    """mypy's and stubtest's whole output when they find nothing: one `Success: ...` line."""
    text = (out.stdout + out.stderr).strip()
    assert out.returncode == 0 and text.startswith("Success: no issues found") and "\n" not in text, text


def test_stubtest_finds_nothing(tmp_path):
    # From an empty directory: the package as installed, not a source tree beside it.
    out = _run(["-m", "mypy.stubtest", "ssmpatch", "--mypy-config-file", _config(tmp_path)], cwd=tmp_path,
               env=dict(os.environ, MYPY_CACHE_DIR=str(tmp_path / "cache")))
    _only_success(out)


def test_the_examples_pass_mypy_strict(tmp_path):
    assert len(EXAMPLES) >= 2, EXAMPLES
    out = _run(["-m", "mypy", "--strict", "--config-file", _config(tmp_path), "--cache-dir", str(tmp_path / "cache"),
                *map(str, EXAMPLES)], cwd=tmp_path)
    _only_success(out)


def test_mypy_strict_rejects_a_wrong_use_of_a_result(tmp_path):
    # The check can fail: a result's key that does not exist, a time used as a string.
    bad = tmp_path / "bad.py"
    bad.write_text("import ssmpatch\n"
                   "cal = ssmpatch.Plan.load('p.toml').calendar()\n"
                   "print(cal['runs'][0]['at'].upper(), cal['nope'])\n")
    out = _run(["-m", "mypy", "--strict", "--config-file", _config(tmp_path), "--cache-dir", str(tmp_path / "cache"),
                str(bad)], cwd=tmp_path)
    assert out.returncode == 1
    assert '"datetime" has no attribute "upper"' in out.stdout and '"nope"' in out.stdout, out.stdout


def test_the_flow_example_runs_against_the_stand_in(aws_env, tmp_path):
    env = dict(os.environ, AWS_ENDPOINT_URL=aws_env, AWS_REGION="eu-central-1")
    started = time.monotonic()
    out = _run([str(ROOT / "examples/python/flow.py")], cwd=tmp_path, env=env)
    took = time.monotonic() - started
    assert out.returncode == 0, out.stdout + out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].startswith("erp-patch-tuesday: valid")
    assert any(line.startswith("applied: ['create ") for line in lines), out.stdout
    assert "changes left: 0" in lines
    assert any(line.startswith("status at ") and " node(s) " in line for line in lines), out.stdout
    assert any(line.startswith("destroyed: ") and not line.startswith("destroyed: 0 ") for line in lines)
    assert any("non-compliant: ['curl.x86_64', 'openssl.x86_64']" in line for line in lines)
    print(f"examples/python/flow.py took {took:.1f} s against the stand-in")  # measured, not asserted


def test_the_flow_example_refuses_a_remote_endpoint(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "AWS_ENDPOINT_URL"}
    for url in (None, "https://ssm.eu-central-1.amazonaws.com"):
        if url:
            env["AWS_ENDPOINT_URL"] = url
        out = _run([str(ROOT / "examples/python/flow.py")], cwd=tmp_path, env=env)
        assert out.returncode == 1 and "local stand-in" in out.stderr, out.stderr


@pytest.mark.parametrize("example", ["seed.py"])
def test_the_seed_example_runs_offline(example, tmp_path):
    out = _run([str(ROOT / "examples/python" / example)], cwd=tmp_path)
    assert out.returncode == 0 and "backend maintenance-window" in out.stdout, out.stderr
