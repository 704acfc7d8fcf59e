"""Service Quotas checks for the creates that count against one (the quotas themselves, with their
source, are ``state.DEFAULT_QUOTAS``; the control API can change them)."""

from moto.ssm import models as m

from ssmpatch_standin import state


def check(what, n, quota_key):
    """``ResourceLimitExceededException`` when ``n`` resources already reach the quota."""
    quota = state.controls.quotas[quota_key]
    if n >= quota:
        raise m.RESTError("ResourceLimitExceededException",
                          f"{what}: the quota of {quota} is reached (Service Quotas default)")


def wrap(orig, count, what, key):
    """``orig`` (a moto response method), refused once ``count(self)`` reaches the quota."""
    def wrapped(self):
        check(what, count(self), key)
        return orig(self)
    wrapped.__name__ = orig.__name__
    return wrapped
