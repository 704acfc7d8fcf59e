"""Parameter Store (PutParameter, GetParameter, DeleteParameter) as strict as AWS where ssmpatch's
plan lease relies on it (core/src/lease.rs):

- **Atomic**: "PutParameter ... Overwrite=false" creates only a parameter that does not exist
  (``ParameterAlreadyExists``: "The parameter already exists. To overwrite this value, set the
  overwrite option in the request to true", API reference, PutParameter, Errors), and every write
  of a value gets the next version: "When you initially create a parameter, Parameter Store assigns
  version 1 to that parameter. When you change the value of the parameter, Parameter Store
  automatically increments the version number by one" (user guide, "Working with parameter versions
  in Parameter Store"). moto checks and then appends without a lock, and its server is threaded:
  two creates at once could both succeed, two overwrites get the same version. Here the reads and
  writes hold ``state.LOCK`` for the whole call.
- **Names** (user guide, "Requirements and constraints for parameter names"; API reference,
  PutParameter, Name): only ``a-zA-Z0-9_.-`` and ``/`` between hierarchy levels; spaces at the
  beginning or end are removed ("The service removes any spaces specified for the beginning or end
  of a parameter name. If the specified name for a parameter contains spaces between characters,
  the request fails with a ValidationException error"); at most fifteen levels
  (``HierarchyLevelLimitExceededException``); at most 1011 characters, "This count of 1011
  characters includes the characters in the ARN that precede the name you specify". (moto already
  refuses the ``aws``/``ssm`` prefixes.)
- **Value size**: "Standard parameters have a content size limit of 4 KB ... Advanced parameters
  have a content size limit of 8 KB" (API reference, PutParameter, Tier); AWS's answer to a larger
  Standard value: "ValidationException: Standard tier parameters support a maximum parameter value
  of 4096 characters. To create a larger parameter value, upgrade the parameter to use the
  advanced-parameter tier."
"""

import re

from moto.core.exceptions import JsonRESTError
from moto.ssm import models as m
from moto.ssm.exceptions import ValidationException

from ssmpatch_standin import state

_SEGMENT = re.compile(r"^[a-zA-Z0-9_.\-]+$")
NAME_LIMIT = 1011
MAX_LEVELS = 15
VALUE_LIMIT = {"Standard": 4096, "Advanced": 8192}


def _hierarchy_error(name):
    return JsonRESTError(
        "HierarchyLevelLimitExceededException",
        "A hierarchy can have a maximum of 15 levels. For more information, see Requirements and constraints "
        f"for parameter names in the Amazon Web Services Systems Manager User Guide. ({name})")


def check_name(name, region, account):
    """The name as AWS stores it (outer spaces removed), or an exception as AWS answers."""
    name = (name or "").strip(" ")
    body = name[1:] if name.startswith("/") else name
    segments = body.split("/")
    if not body or not all(_SEGMENT.match(s) for s in segments):
        raise ValidationException(
            'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive). If formed as a path, it can '
            "consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers "
            "and the following 3 symbols .-_")
    if len(segments) > MAX_LEVELS:
        raise _hierarchy_error(name)
    arn_prefix = f"arn:aws:ssm:{region}:{account}:parameter/"
    if len(arn_prefix) + len(body) > NAME_LIMIT:
        raise ValidationException(
            f"Parameter name {name[:64]}... is too long: the maximum length for a parameter name, with the ARN that "
            f"precedes it, is {NAME_LIMIT} characters.")
    return name


def _put(orig):
    def put_parameter(self, name, description, value, parameter_type, allowed_pattern, keyid, overwrite, tags,
                      data_type, tier=None, policies=None):
        name = check_name(name, self.region_name, self.account_id)
        existing = dict.get(self._parameters, name)   # not []: moto's dict makes a missing entry
        effective = tier or (existing[-1].tier if existing else None) or self.default_parameter_tier or "Standard"
        limit = VALUE_LIMIT.get(effective)
        if limit is not None and value is not None and len(value) > limit:
            if effective == "Standard":
                raise ValidationException(
                    "Standard tier parameters support a maximum parameter value of 4096 characters. To create a "
                    "larger parameter value, upgrade the parameter to use the advanced-parameter tier. For more "
                    "information, see https://docs.aws.amazon.com/systems-manager/latest/userguide/"
                    "parameter-store-advanced-parameters.html")
            raise ValidationException(
                f"Advanced tier parameters support a maximum parameter value of {limit} characters.")
        return orig(self, name, description, value, parameter_type, allowed_pattern, keyid, overwrite, tags,
                    data_type, tier=tier, policies=policies)
    return state.locked(put_parameter)


def install():
    B = m.SimpleSystemManagerBackend
    B.put_parameter = _put(B.put_parameter)
    for op in ("get_parameter", "get_parameters", "delete_parameter", "delete_parameters", "get_parameter_history"):
        setattr(B, op, state.locked(getattr(B, op)))
