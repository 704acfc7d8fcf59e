"""IAM enforcement, per test: with the setting ``iam`` on, a call is allowed only when its IAM action
matches one of the patterns the test allows; otherwise it is refused as AWS refuses it
(``AccessDeniedException``, "User: ... is not authorized to perform: ssm:CreateAssociation").

``POST /_ssmpatch/settings {"iam": {"allow": ["ssm:Describe*", "ssm:CreateMaintenanceWindow", "s3:*"]}}``
turns it on; ``{"iam": null}`` or reset turns it off. Patterns are ``fnmatch`` globs over
``<service prefix>:<action>``. The action is the API operation's name except where the service
authorizes an operation under another action (S3: ListObjectsV2 → s3:ListBucket, HeadObject →
s3:GetObject, HeadBucket → s3:ListBucket; "Amazon S3 API operations and the permissions they
require", S3 user guide). Which actions a role needs is the next issue's (the policies of
``ssmpatch iam-policy`` checked here); this module only decides allowed or refused.
"""

import fnmatch

PREFIX = {"ssm": "ssm", "ssm-quicksetup": "ssm-quicksetup", "s3": "s3", "sts": "sts"}
ALIASES = {
    ("s3", "ListObjectsV2"): "ListBucket",
    ("s3", "ListObjects"): "ListBucket",
    ("s3", "HeadObject"): "GetObject",
    ("s3", "HeadBucket"): "ListBucket",
    ("s3", "DeleteObjects"): "DeleteObject",
}


# "No permissions are required to perform this operation." (STS API reference, GetCallerIdentity)
NO_PERMISSION_NEEDED = {"sts:GetCallerIdentity"}


def action_of(service, operation):
    """``ssm:CreateAssociation``-style action of a call, or ``None`` for a service not modelled."""
    prefix = PREFIX.get(service)
    if prefix is None or not operation or " " in operation:
        return None
    return f"{prefix}:{ALIASES.get((service, operation), operation)}"


# Actions a call needs besides its own ("Dependent actions", Service Authorization Reference): every
# Quick Setup call that deploys passes the local deployment roles to the service (iam:PassRole, with
# iam:PassedToService cloudformation.amazonaws.com or ssm-quicksetup.amazonaws.com).
DEPENDENT = {
    ("ssm-quicksetup", "CreateConfigurationManager"): ["iam:PassRole"],
    ("ssm-quicksetup", "UpdateConfigurationDefinition"): ["iam:PassRole"],
    ("ssm-quicksetup", "DeleteConfigurationManager"): ["iam:PassRole"],
}


def allowed(settings, service, operation, needs=()):
    """``None`` when the call may proceed; else the action it lacks. ``needs``: actions this call
    requires besides its own and its dependent ones (e.g. creating a service-linked role)."""
    iam = settings.get("iam")
    if not iam:
        return None
    action = action_of(service, operation)
    if action is None or action in NO_PERMISSION_NEEDED:
        return None
    patterns = iam.get("allow", [])
    for a in [action, *DEPENDENT.get((service, operation), []), *needs]:
        if not any(fnmatch.fnmatchcase(a, p) for p in patterns):
            return a
    return None
