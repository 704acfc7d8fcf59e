"""ssmpatch.Strategy: the same results as `ssmpatch strategy test`."""

import json
import os
import subprocess
from pathlib import Path

import pytest

import ssmpatch
from helpers import with_datetimes

ROOT = Path(__file__).resolve().parents[2]
RUN = json.loads((ROOT / "examples/strategy-run.json").read_text())


def test_builtin_strategies():
    out = ssmpatch.Strategy.load("put-compliance-items").test(RUN)
    put = out["actions"][0]["PutCompliance"]
    assert [n["result"] for n in out["host"]["nodes"]] == ["compliance-written"]
    assert put["items"][0]["id"] == "openssl.x86_64" and put["upload_type"] == "Complete"
    cli = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "debug/ssmpatch"
    if cli.exists():
        text = subprocess.run([str(cli), "strategy", "test", "put-compliance-items", "--input", "examples/strategy-run.json", "--json"],
                              cwd=ROOT, capture_output=True, text=True, check=True).stdout
        assert with_datetimes(json.loads(text)) == out
    rescan = ssmpatch.Strategy.load("rescan").test(RUN)
    assert rescan["added_operations"][0]["name"] == "install-rescan"


def test_errors():
    with pytest.raises(ssmpatch.StrategyError, match="neither a built-in"):
        ssmpatch.Strategy.load("nope")
    # The adversarial test components are not part of the package: unknown by name.
    for fixture in ["fixture-spin", "fixture-memory-bomb", "fixture-panic", "fixture-oversized", "fixture-escape"]:
        with pytest.raises(ssmpatch.StrategyError, match=r"neither a built-in strategy \(put-compliance-items, rescan\)"):
            ssmpatch.Strategy.load(fixture)
    with pytest.raises(ValueError, match="run:"):
        ssmpatch.Strategy.load("rescan").test({"plan": {}})


def test_limits_are_the_plans_and_the_clis():
    # The same limits as `[compliance.limits]` and `ssmpatch strategy test --fuel ...`.
    with pytest.raises(ssmpatch.StrategyError, match="ran out of fuel \\(1000000 units\\)"):
        # 10,000 nodes do not fit in a million units of fuel.
        many = dict(RUN, runs=[dict(RUN["runs"][0], instance_id=f"i-{i:017x}") for i in range(10000)])
        ssmpatch.Strategy.load("put-compliance-items", fuel=1_000_000).test(many)
    with pytest.raises(ValueError, match="memory_mib=0 is out of range \\(1 to 4096\\)"):
        ssmpatch.Strategy.load("rescan", memory_mib=0)
    out = ssmpatch.Strategy.load("rescan", fuel=10_000_000, timeout_seconds=5, memory_mib=64).test(RUN)
    assert out["actions"] == [{"StartScan": ["i-0123456789abcdef0"]}]


PLAN_WITH_STRATEGY = """version = 1
name = "custom"
backend = "maintenance-window"
baseline-rules-from = "declared"
targets = { tags = { "Patch Group" = "web" } }

[baselines.AMAZON_LINUX_2023]
[[baselines.AMAZON_LINUX_2023.approval-rules]]
approve-after-days = 7

[operations.install]
kind = "install"
schedule = "second tuesday at 22:00"
approval = { approve-after-days = 21 }

[s3]
bucket = "patch-artifacts"

[compliance]
strategy = "strategies/mine.wasm"
"""


def test_validate_loads_the_plans_strategy_relative_to_the_plan_file(tmp_path, monkeypatch):
    # As `ssmpatch validate`: a missing component fails validate (not the first window), and the
    # path is the plan file's directory's, whatever the current directory.
    (tmp_path / "plans").mkdir()
    plan_file = tmp_path / "plans/plan.toml"
    plan_file.write_text(PLAN_WITH_STRATEGY)
    monkeypatch.chdir(tmp_path)
    plan = ssmpatch.Plan.load(plan_file)
    with pytest.raises(ssmpatch.StrategyError, match="mine.wasm") as e:
        plan.validate()
    assert str(tmp_path / "plans/strategies/mine.wasm") in str(e.value) or "plans/strategies/mine.wasm" in str(e.value)
    # Pickled with a relative file name and loaded in another directory: still the plan file's.
    import pickle
    data = pickle.dumps(ssmpatch.Plan.load("plans/plan.toml"))
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    with pytest.raises(ssmpatch.StrategyError) as e:
        pickle.loads(data).validate()
    assert str(tmp_path / "plans/strategies/mine.wasm") in str(e.value), str(e.value)
    (tmp_path / "plans/strategies").mkdir()
    (tmp_path / "plans/strategies/mine.wasm").write_bytes(b"not a component")
    with pytest.raises(ssmpatch.StrategyError):
        plan.validate()
