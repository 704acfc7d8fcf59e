"""Client tokens (idempotency.py): a create sent again with the same ClientToken within the window
answers with the first call's resource; after the window it is a new call, as AWS, which forgets
tokens after a while, may treat it."""

import time

from ssmpatch_standin import idempotency


def _window(ssm, token, name="win"):
    return ssm.create_maintenance_window(Name=name, Schedule="cron(0 3 ? * SUN *)", Duration=2, Cutoff=1,
                                         AllowUnassociatedTargets=False, ClientToken=token)["WindowId"]


def test_the_same_token_answers_with_the_first_resource(ssm, clean):
    first = _window(ssm, "token-a")
    assert _window(ssm, "token-a") == first
    assert len(ssm.describe_maintenance_windows()["WindowIdentities"]) == 1


PARAMS = {"Name": "win", "Schedule": "cron(0 3 ? * SUN *)", "Duration": 2, "Cutoff": 1,
          "AllowUnassociatedTargets": False, "ClientToken": "token-b"}
ANSWER = ("200 OK", [], b'{"WindowId": "mw-0123456789abcdef0"}')


def test_a_token_is_remembered_for_an_hour_by_default():
    assert idempotency.Tokens().window == idempotency.DEFAULT_WINDOW_SECONDS == 3600
    tokens = idempotency.Tokens()
    tokens.remember("ssm", "CreateMaintenanceWindow", PARAMS, ANSWER)
    assert tokens.replay("ssm", "CreateMaintenanceWindow", PARAMS) == ANSWER
    assert tokens.replay("ssm", "CreateMaintenanceWindow", dict(PARAMS, Name="other")) == "mismatch"


def test_a_token_past_the_window_is_a_new_call():
    tokens = idempotency.Tokens(window=0.05)
    tokens.remember("ssm", "CreateMaintenanceWindow", PARAMS, ANSWER)
    time.sleep(0.1)
    assert tokens.replay("ssm", "CreateMaintenanceWindow", PARAMS) is None
