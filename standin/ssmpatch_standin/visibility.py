"""Delayed visibility: a created resource shows in List/Describe answers only after a number of
those calls or seconds, as AWS's eventually consistent reads may ("Amazon EC2 and Systems Manager
APIs follow an eventual consistency model ... the results of a call might not be immediately
visible to subsequent commands"). A Get/Describe of the one resource by its id still finds it.

Set with ``POST /_ssmpatch/settings {"visibility_delay": {"calls": 2}}`` (the next two list calls
of its kind leave it out) or ``{"seconds": 1.5}``; reset clears it. The creates and lists
covered are in ``CREATES`` and ``LISTS``.
"""

import json
import time

# Create operation → (list operation, how to read the new id from the create's answer).
CREATES = {
    ("ssm", "CreateMaintenanceWindow"): ("DescribeMaintenanceWindows", lambda a: a.get("WindowId")),
    ("ssm", "RegisterTargetWithMaintenanceWindow"): ("DescribeMaintenanceWindowTargets",
                                                     lambda a: a.get("WindowTargetId")),
    ("ssm", "RegisterTaskWithMaintenanceWindow"): ("DescribeMaintenanceWindowTasks", lambda a: a.get("WindowTaskId")),
    ("ssm", "CreateAssociation"): ("ListAssociations",
                                   lambda a: (a.get("AssociationDescription") or {}).get("AssociationId")),
    ("ssm", "CreatePatchBaseline"): ("DescribePatchBaselines", lambda a: a.get("BaselineId")),
    ("ssm-quicksetup", "CreateConfigurationManager"): ("ListConfigurationManagers", lambda a: a.get("ManagerArn")),
}

# List operation → (the answer's list, the id field of an item).
LISTS = {
    ("ssm", "DescribeMaintenanceWindows"): ("WindowIdentities", "WindowId"),
    ("ssm", "DescribeMaintenanceWindowTargets"): ("Targets", "WindowTargetId"),
    ("ssm", "DescribeMaintenanceWindowTasks"): ("Tasks", "WindowTaskId"),
    ("ssm", "ListAssociations"): ("Associations", "AssociationId"),
    ("ssm", "DescribePatchBaselines"): ("BaselineIdentities", "BaselineId"),
    ("ssm-quicksetup", "ListConfigurationManagers"): ("ConfigurationManagersList", "ManagerArn"),
}


class Visibility:
    def __init__(self):
        self.hidden = {}   # (service, list operation) → {id: [calls left, visible at (monotonic)]}

    def created(self, service, operation, answer, delay):
        """Hides the resource a successful create made, per ``delay`` (``{"calls": n, "seconds": s}``)."""
        entry = CREATES.get((service, operation))
        if not delay or entry is None or not answer[0].startswith("200"):
            return
        try:
            new_id = entry[1](json.loads(answer[2] or b"{}"))
        except ValueError:
            return
        if new_id:
            calls, seconds = int(delay.get("calls", 0)), float(delay.get("seconds", 0))
            self.hidden.setdefault((service, entry[0]), {})[new_id] = [calls, time.monotonic() + seconds]

    def filter(self, service, operation, answer):
        """``answer`` without the resources still hidden from this list; each call counts."""
        hidden = self.hidden.get((service, operation))
        if not hidden or not answer[0].startswith("200"):
            return answer
        field, id_field = LISTS[(service, operation)]
        now = time.monotonic()
        gone = {rid for rid, (calls, until) in hidden.items() if calls > 0 or now < until}
        for rid in list(hidden):
            if rid in gone:
                hidden[rid][0] -= 1   # this call counts
            else:
                del hidden[rid]       # visible from now on
        if not gone:
            return answer
        try:
            body = json.loads(answer[2] or b"{}")
        except ValueError:
            return answer
        body[field] = [i for i in body.get(field) or [] if i.get(id_field) not in gone]
        return answer[0], answer[1], json.dumps(body).encode()
