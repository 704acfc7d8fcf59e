"""Limits AWS enforces and moto does not: tags (count per resource, key and value pattern) and S3
bucket names. Request-shaped rules are problems of the request (``problems``, called by
``validation.validate_params``: a 400 ValidationException); rules that need the resource's state are
checked in moto's backends (``install``, called once when ``validation`` is imported).

Sources:
- SSM AddTagsToResource: "Most resources can have a maximum of 50 tags. Automations can have a
  maximum of 5 tags." (AWS Systems Manager API Reference, AddTagsToResource); its error for this is
  ``TooManyTagsError``. A create with more than 50 tags: AWS documents no error code (UNCONFIRMED);
  the stand-in refuses it as a ValidationException, never accepts it.
- SSM Tag: Key 1-128, pattern ``^(?!^(?i)aws:)(?=^[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*$).*$``; Value 0-256,
  pattern ``^[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*$`` (botocore ssm service model, TagKey / TagValue). The
  lengths are checked from the model by ``validation._Strict``; Python's ``re`` has no ``\\p{..}``, so
  the patterns are checked here.
- Quick Setup CreateConfigurationManager ``Tags``: key 1-128, value 0-256, same character set
  (ssm-quicksetup service model, TagsMap).
- S3 bucket names: "General purpose bucket naming rules" (Amazon S3 User Guide,
  https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html): 3-63 characters;
  lowercase letters, numbers, periods and hyphens; begin and end with a letter or number; no two
  adjacent periods; not formatted as an IP address; not starting with ``xn--``, ``sthree-`` or
  ``amzn-s3-demo-``; not ending with ``-s3alias``, ``--ol-s3``, ``.mrap``, ``--x-s3`` or
  ``--table-s3``. AWS answers ``InvalidBucketName``.
- Targets (at most 5, Values at most 50 each) are list maxima of the model, checked by
  ``validation._Strict``.
"""

import re
import unicodedata

#: AddTagsToResource: tags per resource, existing ones included.
MAX_TAGS_PER_RESOURCE = 50

_TAG_PUNCTUATION = set("_.:/=+-@")

#: Operations whose ``Tags`` are a new resource's tags (SSM: a list of {Key, Value}; Quick Setup: a map).
_CREATES_WITH_TAGS = {
    ("ssm", "CreateMaintenanceWindow"), ("ssm", "CreateAssociation"), ("ssm", "CreatePatchBaseline"),
    ("ssm", "CreateDocument"), ("ssm", "PutParameter"), ("ssm", "AddTagsToResource"),
    ("ssm-quicksetup", "CreateConfigurationManager"), ("ssm-quicksetup", "TagResource"),
}


def tag_text_ok(s):
    """``[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*``: letters, separators, numbers and ``_ . : / = + - @``."""
    return all(c in _TAG_PUNCTUATION or unicodedata.category(c)[0] in "LZN" for c in s)


def _tag_pairs(tags):
    if isinstance(tags, dict):
        return [(k, v) for k, v in tags.items()]
    if isinstance(tags, list):
        return [(t.get("Key"), t.get("Value")) for t in tags if isinstance(t, dict)]
    return []


def problems(service, operation, params):
    """What a request's tags break (empty: nothing)."""
    if (service, operation) not in _CREATES_WITH_TAGS or not isinstance(params, dict):
        return []
    pairs = _tag_pairs(params.get("Tags"))
    out = []
    # AddTagsToResource counts the resource's existing tags too: checked in the backend (install).
    if len(pairs) > MAX_TAGS_PER_RESOURCE and operation != "AddTagsToResource":
        out.append(f"Tags: {len(pairs)} tags, at most {MAX_TAGS_PER_RESOURCE} per resource (AddTagsToResource)")
    for k, v in pairs:
        if isinstance(k, str):
            if k.lower().startswith("aws:"):
                out.append(f"Tags: key {k!r} starts with the reserved prefix aws:")
            elif not tag_text_ok(k):
                out.append(f"Tags: key {k!r} does not match pattern [\\p{{L}}\\p{{Z}}\\p{{N}}_.:/=+\\-@]*")
        if isinstance(v, str) and not tag_text_ok(v):
            out.append(f"Tags: value {v!r} of {k!r} does not match pattern [\\p{{L}}\\p{{Z}}\\p{{N}}_.:/=+\\-@]*")
    return out


_IP = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")


def bucket_name_problem(name):
    """Why ``name`` is not a valid general purpose bucket name (``None``: it is)."""
    if not 3 <= len(name) <= 63:
        return f"{len(name)} characters (3-63)"
    if not re.fullmatch(r"[a-z0-9.-]+", name):
        return "only lowercase letters, numbers, periods and hyphens"
    if not (name[0].isalnum() and name[-1].isalnum()):
        return "must begin and end with a letter or number"
    if ".." in name:
        return "two adjacent periods"
    if _IP.match(name):
        return "formatted as an IP address"
    for p in ("xn--", "sthree-", "amzn-s3-demo-"):
        if name.startswith(p):
            return f"the prefix {p} is reserved"
    for s in ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"):
        if name.endswith(s):
            return f"the suffix {s} is reserved"
    return None


_installed = False


def install():
    """Put the state-dependent checks into moto (once)."""
    global _installed
    if _installed:
        return
    _installed = True
    from moto.s3 import exceptions as s3e
    from moto.s3.models import S3Backend
    from moto.ssm import models as m

    create_bucket = S3Backend.create_bucket

    def checked_create_bucket(self, bucket_name, *args, **kwargs):
        if bucket_name_problem(bucket_name) is not None:
            raise s3e.InvalidBucketName()
        return create_bucket(self, bucket_name, *args, **kwargs)

    S3Backend.create_bucket = checked_create_bucket

    add_tags = m.SimpleSystemManagerBackend.add_tags_to_resource

    def counted_add_tags(self, resource_type, resource_id, tags, *args, **kwargs):
        existing = self._resource_tags.get(resource_type, {}).get(resource_id, {})
        total = len(set(existing) | set(tags))
        if total > MAX_TAGS_PER_RESOURCE:
            raise m.RESTError(
                "TooManyTagsError",
                f"The resource would have {total} tags; at most {MAX_TAGS_PER_RESOURCE} are allowed per resource "
                "(existing tags included)")
        return add_tags(self, resource_type, resource_id, tags, *args, **kwargs)

    m.SimpleSystemManagerBackend.add_tags_to_resource = counted_add_tags
