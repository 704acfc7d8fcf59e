"""What the stand-in adds to moto, one module per AWS area. ``install()`` puts it into moto's classes
(once): each module's operations on moto's SSM response class (``SimpleSystemManagerResponse``),
taking ``state.LOCK`` for the whole call, and the Quick Setup backend into moto's dispatcher.
"""

from moto.core.base_backend import BackendDict
from moto.ssm.responses import SimpleSystemManagerResponse

from ssmpatch_standin import state
from ssmpatch_standin.handlers import (associations, commands, compliance, maintenance_windows, parameters,
                                       patch_baselines, quicksetup, tagging)

_installed = False


def install():
    global _installed
    if _installed:
        return
    _installed = True
    R = SimpleSystemManagerResponse
    maintenance_windows.install(R)
    patch_baselines.install(R)
    associations.install(R)
    compliance.install(R)
    commands.install(R)
    parameters.install()
    tagging.install()
    quicksetup.install()
    # moto's own reset (POST /moto-api/reset, and the control API's reset) discards every backend; the
    # stand-in's records of each account and Region go with them, as when they were kept on the backends.
    moto_reset = BackendDict.reset

    def reset(cls):
        moto_reset()
        state.reset_records()

    BackendDict.reset = classmethod(reset)
