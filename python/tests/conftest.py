"""The Python package's tests use the project's stand-in fixtures (ssmpatch_standin.pytest_plugin):
``aws_env`` is the session's stand-in reset for one test, with the test credentials in the
environment."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "standin"))

from ssmpatch_standin.pytest_plugin import *  # noqa: E402,F401,F403  (control, standin_url, standin, aws_env)
