"""Patch baselines: what moto 5.2.5's SSM backend lacks or gets wrong, added on moto's own classes —
GetPatchBaseline (with PatchGroups), UpdatePatchBaseline (Replace), DescribePatchBaselines filters,
one baseline per OS per patch group, deregistering restores the default, ResourceInUseException on
delete while registered, the patch baseline quota.

Responses are returned as ``ActionResult`` so moto serialises them from botocore's service model,
exactly like its built-in operations. Each behaviour cites the AWS rule it follows.
"""

import datetime

from moto.core.responses import ActionResult
from moto.ssm import models as m
from moto.ssm.exceptions import DoesNotExistException

from ssmpatch_standin import state
from ssmpatch_standin.handlers import quotas


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


def r_get_patch_baseline(self):
    bid = self._get_param("BaselineId")
    b = self.ssm_backend.baselines.get(bid)
    if b is None:
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


def r_describe_patch_baselines(self):
    """Filters: NAME_PREFIX is a prefix; OWNER is `Self` (custom) or `AWS`
    (API_DescribePatchBaselines: "NAME_PREFIX ... OWNER ... Sample values: AWS | Self")."""
    filters = self._get_param("Filters") or []
    out = list(self.ssm_backend.baselines.values())
    for f in filters:
        vals = f.get("Values", [])
        if f["Key"] == "NAME_PREFIX":
            out = [b for b in out if any(b.name.startswith(v) for v in vals)]
        elif f["Key"] == "OWNER":
            # Every baseline created through the API is owned by the account ("Self").
            out = [b for b in out if "Self" in vals]
        elif f["Key"] == "OPERATING_SYSTEM":
            out = [b for b in out if b.operating_system in vals]
    ids = [{"BaselineId": b.id, "BaselineName": b.name, "OperatingSystem": b.operating_system,
            "BaselineDescription": b.description or "", "DefaultBaseline": False} for b in out]
    return ActionResult({"BaselineIdentities": ids})


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


def r_delete_patch_baseline(self):
    """DeletePatchBaseline of a baseline still registered for a patch group fails with
    ResourceInUseException (API_DeletePatchBaseline errors)."""
    bid = self._get_param("BaselineId")
    b = self.ssm_backend.baselines.get(bid)
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
    R.delete_patch_baseline = state.locked(r_delete_patch_baseline)
    m.SimpleSystemManagerBackend.deregister_patch_baseline_for_patch_group = state.locked(
        b_deregister_patch_baseline_for_patch_group)
    m.SimpleSystemManagerBackend.register_patch_baseline_for_patch_group = state.locked(
        b_register_patch_baseline_for_patch_group)
    R.create_patch_baseline = state.locked(quotas.wrap(R.create_patch_baseline, lambda r: len(r.ssm_backend.baselines),
                                                       "Patch baselines", "patch_baselines"))
