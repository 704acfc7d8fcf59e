"""ssmpatch.Strategy: the same results as `ssmpatch strategy test`."""

import json
import subprocess
from pathlib import Path

import pytest

import ssmpatch

ROOT = Path(__file__).resolve().parents[2]
RUN = json.loads((ROOT / "examples/strategy-run.json").read_text())


def test_builtin_strategies():
    out = ssmpatch.Strategy.load("put-compliance-items").test(RUN)
    put = out["actions"][0]["PutCompliance"]
    assert put["items"][0]["id"] == "openssl.x86_64" and put["upload_type"] == "Complete"
    cli = ROOT / "target/debug/ssmpatch"
    if cli.exists():
        text = subprocess.run([str(cli), "strategy", "test", "put-compliance-items", "--input", "examples/strategy-run.json"],
                              cwd=ROOT, capture_output=True, text=True, check=True).stdout
        assert json.loads(text) == out
    rescan = ssmpatch.Strategy.load("rescan").test(RUN)
    assert rescan["added_operations"][0]["name"] == "install-rescan"


def test_errors():
    with pytest.raises(ssmpatch.StrategyError, match="neither a built-in"):
        ssmpatch.Strategy.load("nope")
    with pytest.raises(ValueError, match="run:"):
        ssmpatch.Strategy.load("rescan").test({"plan": {}})
