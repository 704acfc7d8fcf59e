"""pytest plugin for scripts/test-wheel.sh: the Python tests run against the INSTALLED wheel.

Loaded with ``-p pytest_installed_wheel`` (scripts/ on PYTHONPATH). Before any test it checks that
``import ssmpatch`` finds the package in this interpreter's site-packages (not ``python/ssmpatch`` of
the source tree, nor an editable ``maturin develop`` install) and that its native module is the
stable-ABI one (``_native.abi3.so``); otherwise the run stops with a usage error.

``--offline-only`` deselects every test that needs the local AWS stand-in (any test whose fixtures
include ``standin_url``, directly or through ``standin``/``aws_env``): what remains runs on an
interpreter the stand-in (moto) does not support.
"""

import os
import sysconfig
from pathlib import Path

import pytest


def pytest_addoption(parser):
    parser.addoption("--offline-only", action="store_true",
                     help="deselect the tests that use the local AWS stand-in (standin_url)")


def _inside(path, directory):
    try:
        Path(path).resolve().relative_to(Path(directory).resolve())
        return True
    except ValueError:
        return False


def pytest_configure(config):
    import ssmpatch
    import ssmpatch._native as native

    site = {sysconfig.get_paths()[k] for k in ("purelib", "platlib")}
    if not any(_inside(ssmpatch.__file__, s) for s in site):
        raise pytest.UsageError(
            f"ssmpatch was imported from {ssmpatch.__file__}, not from this interpreter's site-packages "
            f"({', '.join(sorted(site))}): the tests must run against the installed wheel")
    if not os.path.basename(native.__file__).endswith(".abi3.so"):
        raise pytest.UsageError(f"the native module is {native.__file__}, not the stable-ABI _native.abi3.so")
    config._ssmpatch_installed = (ssmpatch.__file__, native.__file__)


def pytest_report_header(config):
    package, native = getattr(config, "_ssmpatch_installed", ("?", "?"))
    return [f"ssmpatch under test: {package}", f"native module: {native}"]


def pytest_collection_modifyitems(config, items):
    if not config.getoption("--offline-only"):
        return
    live = [item for item in items if "standin_url" in getattr(item, "fixturenames", ())]
    if live:
        config.hook.pytest_deselected(items=live)
        gone = set(map(id, live))
        items[:] = [item for item in items if id(item) not in gone]
