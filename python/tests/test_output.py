"""ssmpatch.parse_output: the same object as `ssmpatch output parse --json`."""

import json
import os
import subprocess
from pathlib import Path

import pytest

import ssmpatch
from helpers import with_datetimes

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "core/tests/data/runpatchbaseline-output/synth-override-scan-noncompliant.txt"


def test_parse_output_matches_the_cli():
    r = ssmpatch.parse_output(SAMPLE.read_text())
    assert list(r) == ["instance_id", "operation", "summary", "non_compliant", "all_compliant", "truncated"]
    assert r["instance_id"] == "i-0123456789abcdef0" and r["operation"] == "Scan"
    assert [p["Id"] for p in r["non_compliant"]] == ["curl.x86_64", "openssl.x86_64"]
    cli = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "debug/ssmpatch"
    if cli.exists():
        out = subprocess.run([str(cli), "output", "parse", str(SAMPLE), "--json"], capture_output=True, text=True, check=True)
        assert with_datetimes(json.loads(out.stdout)) == r


def test_parse_output_errors():
    with pytest.raises(ValueError, match="not AWS-RunPatchBaseline output"):
        ssmpatch.parse_output("hello\n")
    text = SAMPLE.read_text()
    cut = text[: text.index('"openssl.x86_64"')]  # inside the non-compliant block
    assert ssmpatch.parse_output(cut, from_invocation=True)["truncated"] is True
