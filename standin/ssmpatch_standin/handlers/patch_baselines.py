"""Patch baselines: what moto 5.2.5's SSM backend lacks or gets wrong, added on moto's own classes —
GetPatchBaseline (with PatchGroups), UpdatePatchBaseline (Replace), DescribePatchBaselines filters and
pages, AWS's predefined baselines of the Region (OWNER AWS; GetPatchBaseline by ARN), one baseline per
OS per patch group, deregistering restores the default, ResourceInUseException on delete while
registered, the patch baseline quota.

Responses are returned as ``ActionResult`` so moto serialises them from botocore's service model,
exactly like its built-in operations. Each behaviour cites the AWS rule it follows.
"""

import datetime

from moto.core.responses import ActionResult
from moto.ssm import models as m
from moto.ssm.exceptions import DoesNotExistException

from ssmpatch_standin import state
from ssmpatch_standin.handlers import quotas
from ssmpatch_standin.sim import fleet


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def _baseline_full(backend, b):
    d = {k: v for k, v in b.to_json().items() if v is not None}
    d["Name"] = d.pop("BaselineName", b.name)
    d.pop("DefaultBaseline", None)
    if "BaselineDescription" in d:
        d["Description"] = d.pop("BaselineDescription")
    d["PatchGroups"] = sorted(g for g, pg in backend.patch_groups.items() if pg.associations.get(b.operating_system) == b.id)
    d["CreatedDate"] = getattr(b, "created", _now())
    d["ModifiedDate"] = getattr(b, "modified", d["CreatedDate"])
    return d


# --- AWS's predefined baselines --------------------------------------------------------------------
#
# "Patch Manager ... provides predefined patch baselines for each of the operating systems supported by
# Patch Manager" (user guide, patch-manager-predefined-and-custom-patch-baselines); DescribePatchBaselines
# lists them with OWNER AWS ("OWNER Sample values: AWS | Self", API_DescribePatchBaselines), their IDs
# being ARNs in the Region in an AWS account (API_DescribePatchBaselines, sample response:
# "BaselineId": "arn:aws:ssm:us-east-2:111122223333:patchbaseline/pb-07d8884178EXAMPLE"). The IDs per
# Region are moto's (moto/ssm/resources/default_baselines.json: the default baseline of each OS in each
# of 34 commercial Regions, e.g. us-east-2 AMAZON_LINUX pb-0e392de35e7c563b7, CENTOS
# pb-0574b43a65ea646ed and WINDOWS pb-020d361a05defe4ed, as AWS's GetPatchBaseline,
# RegisterDefaultPatchBaseline and describe-patch-baselines CLI references name them). A Region moto has
# no list for (the China, GovCloud and ISO partitions) lists none: stricter than AWS, never more lenient.
# Not listed either, for want of their IDs: AWS-WindowsPredefinedPatchBaseline-OS and
# AWS-WindowsPredefinedPatchBaseline-OS-Applications, AWS's other two Windows Server baselines.
#
# Names: the user guide's table of predefined baselines ("AWS-DefaultPatchBaseline is used as the
# default patch baseline for Windows Server managed nodes") — for the operating systems the fleet
# simulates, sim/fleet.py's OS_INFO (the baseline a node without a registered one is evaluated with).
_UNSIMULATED_NAMES = {"AMAZON_LINUX_2022": "AWS-AmazonLinux2022DefaultPatchBaseline",
                      "MACOS": "AWS-MacOSDefaultPatchBaseline", "RASPBIAN": "AWS-DefaultRaspbianPatchBaseline"}
# BaselineDescription as AWS answers it. Sources: [D] API_DescribePatchBaselines sample response (SUSE,
# WINDOWS, AMAZON_LINUX, UBUNTU, REDHAT_ENTERPRISE_LINUX); [Q] user guide quick-setup-code, the
# SelectedPatchBaselines of its patch-policy example ("description" of each AWS baseline); [C] AWS CLI
# examples, describe-patch-baselines (CENTOS). UNCONFIRMED: AMAZON_LINUX_2022 (seen only in third-party
# output of describe-patch-baselines) and RASPBIAN (no published text; the pattern of the others).
_DESCRIPTIONS = {
    "ALMA_LINUX": "Default Patch Baseline for Alma Linux Provided by AWS.",                      # [Q]
    "AMAZON_LINUX": "Default Patch Baseline for Amazon Linux Provided by AWS.",                  # [D]
    "AMAZON_LINUX_2": "Baseline containing all Security and Bugfix updates approved for Amazon Linux 2 instances",  # [Q]
    "AMAZON_LINUX_2022": "Default Patch Baseline for Amazon Linux 2022 Provided by AWS.",        # UNCONFIRMED
    "AMAZON_LINUX_2023": "Default Patch Baseline for Amazon Linux 2023 Provided by AWS.",        # [Q]
    "CENTOS": "Default Patch Baseline for CentOS Provided by AWS.",                              # [C]
    "DEBIAN": "Default Patch Baseline for Debian Provided by AWS.",                              # [Q]
    "MACOS": "Default Patch Baseline for MacOS Provided by AWS.",                                # [Q]
    "ORACLE_LINUX": "Default Patch Baseline for Oracle Linux Server Provided by AWS.",           # [Q]
    "RASPBIAN": "Default Patch Baseline for Raspbian Provided by AWS.",                          # UNCONFIRMED
    "REDHAT_ENTERPRISE_LINUX": "Default Patch Baseline for Redhat Enterprise Linux Provided by AWS.",  # [D]
    "ROCKY_LINUX": "Default Patch Baseline for Rocky Linux Provided by AWS.",                    # [Q]
    "SUSE": "Default Patch Baseline for Suse Provided by AWS.",                                  # [D]
    "UBUNTU": "Default Patch Baseline for Ubuntu Provided by AWS.",                              # [D]
    "WINDOWS": "Default Patch Baseline Provided by AWS.",                                        # [D]
}
# The rules GetPatchBaseline gives: the fleet's (sim/fleet.py default_baseline, cited there) for the
# operating systems it simulates; Amazon Linux 2022's table entry reads as Amazon Linux 2023's and
# Raspberry Pi OS's as Debian's, so they get those. macOS — "Approves all operating system patches that
# are classified as "Security". Also approves all packages with a current update." — as two rules,
# CLASSIFICATION Security and PRODUCT *: UNCONFIRMED (AWS publishes the text, not the filters).
_RULES_LIKE = {"AMAZON_LINUX_2022": "AMAZON_LINUX_2023", "RASPBIAN": "DEBIAN"}
_MACOS_RULES = {"PatchRules": [
    {"PatchFilterGroup": {"PatchFilters": [{"Key": "CLASSIFICATION", "Values": ["Security"]}]},
     "ApproveAfterDays": 0, "ComplianceLevel": "UNSPECIFIED"},
    {"PatchFilterGroup": {"PatchFilters": [{"Key": "PRODUCT", "Values": ["*"]}]},
     "ApproveAfterDays": 0, "ComplianceLevel": "UNSPECIFIED"}]}
# CreatedDate/ModifiedDate of AWS's baselines are not published: the stand-in answers one fixed date
# (UNCONFIRMED), so that two reads agree.
_PREDEFINED_DATE = datetime.datetime(2018, 5, 1, tzinfo=datetime.timezone.utc)


def _predefined_name(os_):
    return fleet.OS_INFO[os_][2] if os_ in fleet.OS_INFO else _UNSIMULATED_NAMES[os_]


def _predefined_ids(backend):
    """OS → the ARN of AWS's predefined baseline in the backend's Region ({} where moto has no list)."""
    try:
        return dict(m.FakePatchGroup("default", backend.region_name).default_associations)
    except KeyError:
        return {}


def _predefined_identities(backend):
    """AWS's baselines as DescribePatchBaselines answers them. DefaultBaseline: each is its OS's default
    until a custom baseline is registered as the default ("These predefined patch baselines are used as
    the default patch baselines for each operating system type unless you create your own patch baseline
    and designate it as the default", predefined baselines); the stand-in has no
    RegisterDefaultPatchBaseline, so they stay the default."""
    return [{"BaselineId": bid, "BaselineName": _predefined_name(os_), "OperatingSystem": os_,
             "BaselineDescription": _DESCRIPTIONS[os_], "DefaultBaseline": True}
            for os_, bid in sorted(_predefined_ids(backend).items())]


def _predefined_full(backend, os_, bid):
    """GetPatchBaseline of AWS's baseline for ``os_``: its rules, no patch group (the stand-in registers
    only custom baselines for patch groups), no sources."""
    if os_ in fleet.OS_INFO or os_ in _RULES_LIKE:
        rules = fleet.default_baseline(backend, _RULES_LIKE.get(os_, os_))
    else:
        rules = dict(fleet.default_baseline(backend, "AMAZON_LINUX_2023"), ApprovalRules=_MACOS_RULES)
    d = {k: rules[k] for k in ("GlobalFilters", "ApprovalRules", "ApprovedPatches", "ApprovedPatchesComplianceLevel",
                               "ApprovedPatchesEnableNonSecurity", "RejectedPatches", "RejectedPatchesAction",
                               "Sources")}
    d.update({"BaselineId": bid, "Name": _predefined_name(os_), "OperatingSystem": os_,
              "Description": _DESCRIPTIONS[os_], "PatchGroups": [], "CreatedDate": _PREDEFINED_DATE,
              "ModifiedDate": _PREDEFINED_DATE})
    return d


def r_get_patch_baseline(self):
    """A custom baseline by ID, or AWS's by its ARN in this Region: "To retrieve information about an
    AWS managed patch baseline, specify the full Amazon Resource Name (ARN) of the baseline. For example,
    for the baseline AWS-AmazonLinuxDefaultPatchBaseline, specify
    arn:aws:ssm:us-east-2:733109147000:patchbaseline/pb-0e392de35e7c563b7 instead of
    pb-0e392de35e7c563b7." (GetPatchBaseline, AWS CLI reference, --baseline-id) — the bare ID is
    DoesNotExistException, as any unknown ID."""
    bid = self._get_param("BaselineId")
    b = self.ssm_backend.baselines.get(bid)
    if b is None:
        for os_, arn in _predefined_ids(self.ssm_backend).items():
            if arn == bid:
                return ActionResult(_predefined_full(self.ssm_backend, os_, arn))
        raise DoesNotExistException(bid)
    return ActionResult(_baseline_full(self.ssm_backend, b))


def r_update_patch_baseline(self):
    """UpdatePatchBaseline: "If you specify true for the Replace parameter, optional fields that
    you don't specify are set to null." (API_UpdatePatchBaseline)."""
    bid = self._get_param("BaselineId")
    b = self.ssm_backend.baselines.get(bid)
    if b is None:
        raise DoesNotExistException(bid)
    replace = bool(self._get_param("Replace", False))
    fields = {
        "Name": "name", "GlobalFilters": "global_filters", "ApprovalRules": "approval_rules",
        "ApprovedPatches": "approved_patches", "ApprovedPatchesComplianceLevel": "approved_patches_compliance_level",
        "ApprovedPatchesEnableNonSecurity": "approved_patches_enable_non_security",
        "RejectedPatches": "rejected_patches", "RejectedPatchesAction": "rejected_patches_action",
        "Description": "description", "Sources": "sources",
    }
    for k, attr in fields.items():
        v = self._get_param(k)
        if v is not None:
            setattr(b, attr, v)
        elif replace and k != "Name":
            setattr(b, attr, None)
    b.modified = _now()
    d = _baseline_full(self.ssm_backend, b)
    d.pop("PatchGroups", None)
    return ActionResult(d)


_PAGE_TOKEN = "standin-baselines-"


def _page(self, items, key):
    """``{key: one page of items}`` as the request's MaxResults and NextToken ask (a token the stand-in
    did not give is InvalidNextToken; without MaxResults, everything is one page)."""
    token, limit = self._get_param("NextToken"), self._get_param("MaxResults")
    start = 0
    if token is not None:
        if not (token.startswith(_PAGE_TOKEN) and token[len(_PAGE_TOKEN):].isdigit()):
            raise m.RESTError("InvalidNextToken", "The specified token isn't valid.")
        start = int(token[len(_PAGE_TOKEN):])
    end = len(items) if not limit else start + int(limit)
    res = {key: items[start:end]}
    if end < len(items):
        res["NextToken"] = f"{_PAGE_TOKEN}{end}"
    return res


def r_describe_patch_baselines(self):
    """Filters: NAME_PREFIX is a prefix; OWNER is `Self` (custom) or `AWS` (AWS's predefined baselines
    of the Region); OPERATING_SYSTEM (API_DescribePatchBaselines: "NAME_PREFIX ... OWNER ... Sample
    values: AWS | Self ... OPERATING_SYSTEM"). Values of one filter are alternatives, filters all apply.
    Without an OWNER filter both are listed (AWS CLI examples, describe-patch-baselines example 1: no
    filter, AWS's baselines and "MyWindowsPatchBaseline" in one answer), AWS's first as there.
    MaxResults: "The maximum number of patch baselines to return (per page)", 1-100 (model); NextToken
    continues; a token the stand-in did not give is InvalidNextToken. Without MaxResults everything is
    one page (AWS's default page size is not documented; the page_size setting pages it)."""
    filters = self._get_param("Filters") or []
    backend = self.ssm_backend
    owners = {"AWS", "Self"}
    for f in filters:
        if f["Key"] == "OWNER":
            owners &= set(f.get("Values", []))
    out = _predefined_identities(backend) if "AWS" in owners else []
    if "Self" in owners:
        # Every baseline created through the API is owned by the account ("Self").
        out += [{"BaselineId": b.id, "BaselineName": b.name, "OperatingSystem": b.operating_system,
                 "BaselineDescription": b.description or "", "DefaultBaseline": False}
                for b in backend.baselines.values()]
    for f in filters:
        vals = f.get("Values", [])
        if f["Key"] == "NAME_PREFIX":
            out = [b for b in out if any(b["BaselineName"].startswith(v) for v in vals)]
        elif f["Key"] == "OPERATING_SYSTEM":
            out = [b for b in out if b["OperatingSystem"] in vals]
    return ActionResult(_page(self, out, "BaselineIdentities"))


def b_deregister_patch_baseline_for_patch_group(self, baseline_id, patch_group):
    """Deregistering restores the AWS default baseline for that OS in the group (patch groups:
    "With no patch group tag ... the default baseline for the OS is used")."""
    if baseline_id not in self.baselines:
        raise DoesNotExistException(baseline_id)
    os_ = self.baselines[baseline_id].operating_system
    pg = self.patch_groups.get(patch_group)
    if pg is not None and pg.associations.get(os_) == baseline_id:
        default = m.FakePatchGroup("default", self.region_name).default_associations.get(os_)
        if default is None:
            pg.associations.pop(os_, None)
        else:
            pg.associations[os_] = default
    return baseline_id, patch_group


def b_register_patch_baseline_for_patch_group(self, baseline_id, patch_group):
    """"A patch group can be registered with only one patch baseline for each operating system
    type." (patch-manager-patch-groups) → AlreadyExistsException for another custom baseline."""
    if baseline_id not in self.baselines:
        raise DoesNotExistException(baseline_id)
    os_ = self.baselines[baseline_id].operating_system
    pg = self.patch_groups.get(patch_group)
    if pg is None:
        pg = m.FakePatchGroup(patch_group, self.region_name)
        pg.default_associations = dict(pg.default_associations)
        pg.associations = dict(pg.default_associations)
        self.patch_groups[patch_group] = pg
    current = pg.associations.get(os_)
    if current in self.baselines and current != baseline_id:
        raise m.AlreadyExistsException(os_)
    pg.associations[os_] = baseline_id
    return baseline_id, patch_group


def r_describe_patch_groups(self):
    """"Lists all patch groups that have been registered with patch baselines" (API_DescribePatchGroups):
    one mapping per patch group and operating system whose registered baseline is a custom one (a group
    left with AWS's default baseline for an OS is not a registration). Filters: NAME_PREFIX (of the patch
    group) and OPERATING_SYSTEM ("Supported keys for DescribePatchGroups include the following: NAME_PREFIX
    ... OPERATING_SYSTEM", PatchOrchestratorFilter); a filter key that is not one of those is a
    ValidationException. MaxResults 1-100 per page, NextToken continues (a token the stand-in did not
    give is InvalidNextToken). moto 5.2.5 has no DescribePatchGroups."""
    backend = self.ssm_backend
    out = []
    for group in sorted(backend.patch_groups):
        for os_, bid in sorted(backend.patch_groups[group].associations.items()):
            b = backend.baselines.get(bid)
            if b is None:
                continue
            out.append({"PatchGroup": group, "BaselineIdentity": {
                "BaselineId": b.id, "BaselineName": b.name, "OperatingSystem": b.operating_system,
                "BaselineDescription": b.description or "", "DefaultBaseline": False}})
    for f in self._get_param("Filters") or []:
        vals = f.get("Values", [])
        if f["Key"] == "NAME_PREFIX":
            out = [x for x in out if any(x["PatchGroup"].startswith(v) for v in vals)]
        elif f["Key"] == "OPERATING_SYSTEM":
            out = [x for x in out if x["BaselineIdentity"]["OperatingSystem"] in vals]
        else:
            raise m.RESTError("ValidationException",
                              f"Filter key {f['Key']} is not supported: NAME_PREFIX or OPERATING_SYSTEM")
    return ActionResult(_page(self, out, "Mappings"))


def r_delete_patch_baseline(self):
    """DeletePatchBaseline of a baseline still registered for a patch group fails with
    ResourceInUseException (API_DeletePatchBaseline errors). AWS's predefined baselines cannot be
    deleted ("You can use these baselines as they are currently configured (you can't customize
    them)", predefined baselines): refused — AWS's error for it is not published; ValidationException
    is UNCONFIRMED."""
    bid = self._get_param("BaselineId")
    b = self.ssm_backend.baselines.get(bid)
    if b is None and bid in _predefined_ids(self.ssm_backend).values():
        raise m.RESTError("ValidationException", f"{bid} is a patch baseline provided by AWS and cannot be deleted.")
    if b is None:
        return ActionResult({"BaselineId": bid})
    for g, pg in self.ssm_backend.patch_groups.items():
        if pg.associations.get(b.operating_system) == bid:
            raise m.RESTError("ResourceInUseException", f"Baseline {bid} is registered for patch group {g}")
    del self.ssm_backend.baselines[bid]
    return ActionResult({"BaselineId": bid})


def install(R):
    R.get_patch_baseline = state.locked(r_get_patch_baseline)
    R.update_patch_baseline = state.locked(r_update_patch_baseline)
    R.describe_patch_baselines = state.locked(r_describe_patch_baselines)
    R.describe_patch_groups = state.locked(r_describe_patch_groups)
    R.delete_patch_baseline = state.locked(r_delete_patch_baseline)
    m.SimpleSystemManagerBackend.deregister_patch_baseline_for_patch_group = state.locked(
        b_deregister_patch_baseline_for_patch_group)
    m.SimpleSystemManagerBackend.register_patch_baseline_for_patch_group = state.locked(
        b_register_patch_baseline_for_patch_group)
    R.create_patch_baseline = state.locked(quotas.wrap(R.create_patch_baseline, lambda r: len(r.ssm_backend.baselines),
                                                       "Patch baselines", "patch_baselines"))
