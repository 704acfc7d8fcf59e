"""``ssm-quicksetup`` (AWS Systems Manager Quick Setup), which moto 5.2.5 does not have.

A moto backend of its own (``BackendDict`` + ``BaseResponse`` with moto's model-driven rest-json
parsing and serialisation), registered with moto's server dispatcher under the SigV4 signing name
``ssm-quicksetup``. Patch-policy parameters are checked as aws-facts §6 documents them.

API model: botocore ``ssm-quicksetup/2018-05-10/service-2.json``;
https://docs.aws.amazon.com/quick-setup/latest/APIReference/Welcome.html

Configuration managers are the stand-in's records (``state``). A patch policy runs when the control API
triggers it (``run_patch_policy``), through the simulated fleet.
"""

import datetime
import json
import random
import re
import string
import sys
import uuid

from moto import backend_index, backends
from moto.core.base_backend import BackendDict, BaseBackend
from moto.core.common_models import BaseModel
from moto.core.exceptions import JsonRESTError
from moto.core.responses import ActionResult, BaseResponse, EmptyResult
from moto.iam.models import iam_backends
from moto.s3.models import s3_backends
from moto.ssm import models as ssm_models

from ssmpatch_standin import state
from ssmpatch_standin.sim import commands, fleet

SERVICE = "ssm-quicksetup"
PATCH_POLICY = "AWSQuickSetupType-PatchPolicy"


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


class ValidationException(JsonRESTError):
    code = 400

    def __init__(self, message):
        super().__init__("ValidationException", message)


class ResourceNotFoundException(JsonRESTError):
    code = 404

    def __init__(self, message):
        super().__init__("ResourceNotFoundException", message)


class ConflictException(JsonRESTError):
    code = 409

    def __init__(self, message):
        super().__init__("ConflictException", message)


# --- patch-policy parameters (aws-facts §6) -------------------------------------------------------

_BOOL = {"true", "false"}
# Each entry: allowed values (None = free text). Source: the ConfigurationDefinitionInput.Parameters
# documentation in the botocore model and the CloudFormation AWS::SSMQuickSetup::ConfigurationManager
# ConfigurationDefinition page (aws-facts §6 table).
_PATCH_POLICY_ENUMS = {
    "ConfigurationOptionsPatchOperation": {"Scan", "ScanAndInstall"},
    "ConfigurationOptionsScanNextInterval": _BOOL,
    "ConfigurationOptionsInstallNextInterval": _BOOL,
    # Current model / CloudFormation: "Valid values are RebootIfNeeded and NoReboot."
    "RebootOption": {"RebootIfNeeded", "NoReboot"},
    "IsPolicyAttachAllowed": _BOOL,
    "OutputLogEnableS3": _BOOL,
    # "TargetType ... *, InstanceIds, ResourceGroups, Tags"
    "TargetType": {"*", "InstanceIds", "ResourceGroups", "Tags"},
    # CloudFormation doc: "Supported values are default and custom"; the API model still says
    # "A boolean value" — both spellings are accepted.
    "PatchBaselineUseDefault": {"default", "custom", "true", "false"},
    "HasDeletedBaseline": _BOOL,
}
_OS = {"WINDOWS", "AMAZON_LINUX", "AMAZON_LINUX_2", "AMAZON_LINUX_2022", "UBUNTU", "REDHAT_ENTERPRISE_LINUX",
       "SUSE", "CENTOS", "ORACLE_LINUX", "DEBIAN", "MACOS", "RASPBIAN", "ROCKY_LINUX", "ALMA_LINUX",
       "AMAZON_LINUX_2023"}
_RATE = re.compile(r"^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$")
_ERR_RATE = re.compile(r"^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$")


def check_patch_policy(params):
    """Validate the string map of an ``AWSQuickSetupType-PatchPolicy`` definition."""
    problems = []

    def need(key, why):
        if not params.get(key):
            problems.append(f"{key} is required ({why})")

    # "PatchPolicyName | Required", "SelectedPatchBaselines | Required", "TargetRegions | Required",
    # "PatchBaselineRegion | CloudFormation doc: Required" (aws-facts §6).
    need("PatchPolicyName", "patch policy parameter table: Required")
    need("SelectedPatchBaselines", "patch policy parameter table: Required")
    need("TargetRegions", "patch policy parameter table: Required")
    need("PatchBaselineRegion", "CloudFormation ConfigurationDefinition: Required")
    # "A value must be provided for either TargetAccounts or TargetOrganizationalUnits."
    if not params.get("TargetAccounts") and not params.get("TargetOrganizationalUnits"):
        problems.append("A value must be provided for either TargetAccounts or TargetOrganizationalUnits")
    for key, allowed in _PATCH_POLICY_ENUMS.items():
        v = params.get(key)
        if v is not None and v != "" and v not in allowed:
            problems.append(f"{key} must be one of {sorted(allowed)}, got {v!r}")
    sel = params.get("SelectedPatchBaselines")
    if sel:
        # SelectedPatchBaselines: a JSON string, map OperatingSystem -> {"value", "label",
        # "description", "disabled"} (AWS example in quick-setup-api.html).
        try:
            obj = json.loads(sel)
            if not isinstance(obj, dict):
                raise ValueError("not a JSON object")
            for os_, entry in obj.items():
                if os_ not in _OS:
                    problems.append(f"SelectedPatchBaselines: unknown operating system {os_}")
                if not isinstance(entry, dict) or not entry.get("value"):
                    problems.append(f"SelectedPatchBaselines.{os_} needs a \"value\" (baseline ID or ARN)")
        except ValueError as e:
            problems.append(f"SelectedPatchBaselines must be a JSON object string: {e}")
    op = params.get("ConfigurationOptionsPatchOperation") or "Scan"
    if op == "ScanAndInstall" and not params.get("ConfigurationOptionsInstallValue"):
        problems.append("ConfigurationOptionsInstallValue is required with ScanAndInstall")
    for key in ("ConfigurationOptionsScanValue", "ConfigurationOptionsInstallValue"):
        v = params.get(key)
        # "A cron expression that is used as the schedule ..." (API model); every AWS example is cron(...).
        if v and not (v.startswith("cron(") or v.startswith("rate(")):
            problems.append(f"{key} must be a cron(...) or rate(...) expression, got {v!r}")
    tt = params.get("TargetType")
    if tt == "Tags" and not (params.get("TargetTagKey") and params.get("TargetTagValue") is not None):
        problems.append("TargetTagKey and TargetTagValue are required when TargetType is Tags")
    if tt == "InstanceIds":
        ids = [i for i in (params.get("TargetInstances") or "").split(",") if i]
        if not ids:
            problems.append("TargetInstances is required when TargetType is InstanceIds")
        # Console note: "You can add a maximum of 25 instances manually in a patch policy configuration."
        if len(ids) > 25:
            problems.append("TargetInstances: at most 25 instances")
    if tt == "ResourceGroups" and not params.get("ResourceGroupName"):
        problems.append("ResourceGroupName is required when TargetType is ResourceGroups")
    if params.get("RateControlConcurrency") and not _RATE.match(params["RateControlConcurrency"]):
        problems.append("RateControlConcurrency must look like MaxConcurrency (e.g. 10 or 10%)")
    if params.get("RateControlErrorThreshold") and not _ERR_RATE.match(params["RateControlErrorThreshold"]):
        problems.append("RateControlErrorThreshold must look like MaxErrors (e.g. 0 or 5%)")
    return problems


def _check_definition(d):
    # CloudFormation ConfigurationDefinition: the local deployment role fields may be omitted only
    # "for organizational deployments of types other than AWSQuickSetupType-PatchPolicy. A value must be
    # provided when you are running an organizational deployment for a patch policy or running any
    # type of deployment for a single account."
    problems = []
    if d.get("Type") == PATCH_POLICY:
        for k in ("LocalDeploymentAdministrationRoleArn", "LocalDeploymentExecutionRoleName"):
            if not d.get(k):
                problems.append(f"{k} is required for {PATCH_POLICY}")
        problems += check_patch_policy(d.get("Parameters") or {})
    tv = d.get("TypeVersion")
    if tv is not None and not re.match(r"^\d{1,3}(\.\d{1,3})?$|^LATEST$", tv):
        problems.append("TypeVersion must match ^\\d{1,3}(\\.\\d{1,3})?$|^LATEST$")
    if problems:
        raise ValidationException("; ".join(problems))


# --- deployments ------------------------------------------------------------------------------------
# Quick Setup deploys a configuration asynchronously: the manager's StatusSummaries carry a
# "Deployment" status — INITIALIZING, DEPLOYING, then SUCCEEDED or FAILED; a delete is DELETING, then
# the manager is gone or DELETE_FAILED (StatusSummary.Status enum, ssm-quicksetup model). The
# stand-in advances one step per read of the manager (GetConfigurationManager, or a listing that
# shows it; "a few polls": setting quicksetup_deployment_polls, default 2), so a client that never
# polls sees a deployment that never finished. A change while one runs is refused with
# ConflictException ("Another request is being processed. Wait a few minutes and try again.").
# The local deployment roles must exist for create, update and delete; AWS does not say which call
# checks them, so the stand-in fails the deployment (asynchronously, the harder case for a client)
# with a message naming the missing role (the text is the stand-in's: UNCONFIRMED).
DEFAULT_DEPLOYMENT_POLLS = 2
RUNNING = ("INITIALIZING", "DEPLOYING", "DELETING")


def _missing_roles(account_id, definition):
    if definition.get("Type") != PATCH_POLICY:
        return []
    names = [(definition.get("LocalDeploymentAdministrationRoleArn") or "").rsplit("/", 1)[-1],
             definition.get("LocalDeploymentExecutionRoleName") or ""]
    iam = iam_backends[account_id]["global"]
    missing = []
    for n in names:
        try:
            iam.get_role(n)
        except Exception:
            missing.append(n)
    return missing


LOCAL_ROLES = ("AWS-QuickSetup-PatchPolicy-LocalAdministrationRole", "AWS-QuickSetup-PatchPolicy-LocalExecutionRole")


def create_local_roles(account_id):
    """Quick Setup's local deployment roles, as an administrator creates them (control API)."""
    iam = iam_backends[account_id]["global"]
    made = []
    for name in LOCAL_ROLES:
        try:
            iam.get_role(name)
        except Exception:
            iam.create_role(name, json.dumps({"Version": "2012-10-17", "Statement": []}), "/", None, "", [], None)
            made.append(name)
    return made


class ConfigurationManager(BaseModel):
    def __init__(self, account_id, region, name, description, definitions, tags):
        self.arn = f"arn:aws:ssm-quicksetup:{region}:{account_id}:configuration-manager/{uuid.uuid4()}"
        self.account_id = account_id
        self.region = region
        self.name = name
        self.description = description
        self.created = self.modified = _now()
        self.definitions = []
        for d in definitions:
            d = dict(d)
            # Quick Setup configuration IDs are short (the patch-policy bucket name is
            # aws-quicksetup-patchpolicy-<account-id>-<quick-setup-configuration-id>, e.g. "abcde").
            d["Id"] = "".join(random.choices(string.ascii_lowercase + string.digits, k=5))
            d.setdefault("TypeVersion", "1.0")
            self.definitions.append(d)
        self.tags = dict(tags or {})
        self.association_ids = {}   # patch-policy operation -> the AssociationId its runs pass (run_patch_policy)
        self.targeted = set()       # the nodes the patch policy's targets resolved to when last evaluated

        self.deployment = None      # [status, message, steps still to show, final status, final message]

    def deploy(self, deleting=False):
        """Start a deployment (or a deletion) of the current definitions."""
        missing = sorted({n for d in self.definitions for n in _missing_roles(self.account_id, d)})
        polls = int(state.controls.settings.get("quicksetup_deployment_polls", DEFAULT_DEPLOYMENT_POLLS))
        steps = ["DELETING"] * polls if deleting else (["INITIALIZING", "DEPLOYING"] * polls)[:max(polls, 1)]
        if missing:
            final = ("DELETE_FAILED" if deleting else "FAILED",
                     f"Deployment failed: the local deployment role(s) {', '.join(missing)} do not exist in "
                     f"account {self.account_id}")
        else:
            final = ("GONE", "") if deleting else ("SUCCEEDED", "Deployment succeeded")
        self.deployment = [steps[0], "Deployment in progress", steps[1:], *final]
        self.modified = _now()

    def running(self):
        return self.deployment is not None and self.deployment[0] in RUNNING

    def poll(self):
        """One read of the manager: the deployment moves one step. True when the manager is gone."""
        d = self.deployment
        if d is None or d[0] not in RUNNING:
            return False
        if d[2]:
            d[0] = d[2].pop(0)
        else:
            d[0], d[1] = d[3], d[4]
        return d[0] == "GONE"

    def status(self):
        # StatusMessage is free text ("We don't recommend implementing parsing logic around this
        # value").
        status, message = (self.deployment[0], self.deployment[1]) if self.deployment else ("SUCCEEDED", "")
        return [{"StatusType": "Deployment", "Status": status, "StatusMessage": message,
                 "LastUpdatedAt": self.modified}]

    def summary(self):
        d = {"ManagerArn": self.arn, "StatusSummaries": self.status(),
             "ConfigurationDefinitionSummaries": [
                 {"Id": c["Id"], "Type": c["Type"], "TypeVersion": c["TypeVersion"],
                  "FirstClassParameters": {k: v for k, v in c.get("Parameters", {}).items()
                                           if k in ("PatchPolicyName", "ConfigurationOptionsPatchOperation",
                                                    "TargetType")}}
                 for c in self.definitions]}
        if self.name is not None:
            d["Name"] = self.name
        if self.description is not None:
            d["Description"] = self.description
        return d

    def full(self):
        d = {"ManagerArn": self.arn, "CreatedAt": self.created, "LastModifiedAt": self.modified,
             "StatusSummaries": self.status(), "ConfigurationDefinitions": self.definitions, "Tags": self.tags}
        if self.name is not None:
            d["Name"] = self.name
        if self.description is not None:
            d["Description"] = self.description
        return d


class QuickSetupBackend(BaseBackend):
    @property
    def managers(self):
        return state.records(self.account_id, self.region_name).configuration_managers

    def get(self, arn):
        m = self.managers.get(arn)
        if m is None:
            raise ResourceNotFoundException(f"Configuration manager {arn} was not found")
        return m

    def read(self, arn):
        """A read of the manager: its deployment moves on (and a finished deletion removes it)."""
        m = self.get(arn)
        if m.poll():
            del self.managers[arn]
            raise ResourceNotFoundException(f"Configuration manager {arn} was not found")
        return m

    def change(self, arn):
        """The manager, for a change: refused while a deployment runs."""
        m = self.get(arn)
        if m.running():
            raise ConflictException("Another request is being processed. Wait a few minutes and try again.")
        return m

    @property
    def _url_module(self):
        return sys.modules[__name__]


quicksetup_backends = BackendDict(QuickSetupBackend, SERVICE)


class QuickSetupResponse(BaseResponse):
    def __init__(self):
        super().__init__(service_name=SERVICE)
        self.automated_parameter_parsing = True

    @property
    def backend(self):
        return quicksetup_backends[self.current_account][self.region]

    @state.locked
    def create_configuration_manager(self):
        defs = self._get_param("ConfigurationDefinitions") or []
        if not defs:
            raise ValidationException("ConfigurationDefinitions must contain at least one definition")
        for d in defs:
            _check_definition(d)
        name = self._get_param("Name")
        m = ConfigurationManager(self.current_account, self.region, name, self._get_param("Description"), defs,
                                 self._get_param("Tags"))
        self.backend.managers[m.arn] = m
        m.deploy()
        runs_on_change(ssm_models.ssm_backends[self.current_account][self.region], m, everywhere=True)
        return ActionResult({"ManagerArn": m.arn})

    @state.locked
    def get_configuration_manager(self):
        return ActionResult(self.backend.read(self._get_param("ManagerArn")).full())

    @state.locked
    def list_configuration_managers(self):
        for arn in list(self.backend.managers):
            try:
                self.backend.read(arn)
            except ResourceNotFoundException:
                pass
        out = list(self.backend.managers.values())
        for f in self._get_param("Filters") or []:
            key, values = f["Key"], f["Values"]
            # The model documents no filter keys. Simulated (UNCONFIRMED against AWS): Name,
            # ManagerArn, ConfigurationDefinitionType, and tag:<key>.
            if key == "Name":
                out = [m for m in out if m.name in values]
            elif key == "ManagerArn":
                out = [m for m in out if m.arn in values]
            elif key == "ConfigurationDefinitionType":
                out = [m for m in out if any(d["Type"] in values for d in m.definitions)]
            elif key.startswith("tag:"):
                out = [m for m in out if m.tags.get(key[4:]) in values]
            else:
                raise ValidationException(f"The stand-in does not simulate the filter key {key}")
        n = int(self._get_param("MaxItems") or 100)
        start = int(self._get_param("StartingToken") or 0)
        page = out[start:start + n]
        res = {"ConfigurationManagersList": [m.summary() for m in page]}
        if start + n < len(out):
            res["NextToken"] = str(start + n)
        return ActionResult(res)

    @state.locked
    def update_configuration_manager(self):
        m = self.backend.change(self._get_param("ManagerArn"))
        if self._get_param("Name") is not None:
            m.name = self._get_param("Name")
        if self._get_param("Description") is not None:
            m.description = self._get_param("Description")
        m.modified = _now()
        return EmptyResult()

    @state.locked
    def update_configuration_definition(self):
        m = self.backend.change(self._get_param("ManagerArn"))
        did = self._get_param("Id")
        for d in m.definitions:
            if d["Id"] == did:
                new = dict(d)
                for k in ("Parameters", "TypeVersion", "LocalDeploymentAdministrationRoleArn",
                          "LocalDeploymentExecutionRoleName"):
                    if self._get_param(k) is not None:
                        new[k] = self._get_param(k)
                _check_definition(new)
                d.clear()
                d.update(new)
                m.deploy()
                runs_on_change(ssm_models.ssm_backends[self.current_account][self.region], m, everywhere=True)
                return EmptyResult()
        raise ResourceNotFoundException(f"Configuration definition {did} was not found in {m.arn}")

    @state.locked
    def delete_configuration_manager(self):
        m = self.backend.change(self._get_param("ManagerArn"))
        m.deploy(deleting=True)
        return EmptyResult()

    @state.locked
    def get_configuration(self):
        cid = self._get_param("ConfigurationId")
        for m in self.backend.managers.values():
            for d in m.definitions:
                if d["Id"] == cid:
                    return ActionResult({
                        "Id": cid, "ConfigurationDefinitionId": d["Id"], "ManagerArn": m.arn,
                        "Type": d["Type"], "TypeVersion": d["TypeVersion"], "Account": m.account_id,
                        "Region": m.region, "Parameters": d.get("Parameters", {}), "CreatedAt": m.created,
                        "LastModifiedAt": m.modified, "StatusSummaries": m.status()})
        raise ResourceNotFoundException(f"Configuration {cid} was not found")

    @state.locked
    def list_quick_setup_types(self):
        return ActionResult({"QuickSetupTypeList": [{"Type": PATCH_POLICY, "LatestVersion": "1.0"}]})

    def _tagged(self):
        return self.backend.get(self._get_param("ResourceArn"))

    @state.locked
    def tag_resource(self):
        self._tagged().tags.update(self._get_param("Tags") or {})
        return EmptyResult()

    @state.locked
    def untag_resource(self):
        m = self._tagged()
        for k in self._get_param("TagKeys") or []:
            m.tags.pop(k, None)
        return EmptyResult()

    @state.locked
    def list_tags_for_resource(self):
        m = self._tagged()
        return ActionResult({"Tags": [{"Key": k, "Value": v} for k, v in sorted(m.tags.items())]})


# --- patch-policy runs ---------------------------------------------------------------------------

# The "wait until first CRON interval" options and the operation each one holds back. The model's
# default for both is "false" (ssm-quicksetup ConfigurationDefinition Parameters).
_NEXT_INTERVAL = (("Scan", "ConfigurationOptionsScanNextInterval"),
                  ("Install", "ConfigurationOptionsInstallNextInterval"))


def _policy_definition(mgr):
    return next((d for d in mgr.definitions if d["Type"] == PATCH_POLICY), None)


def _policy_targets(p):
    """The Run Command targets of a patch policy's TargetType (*, InstanceIds, Tags)."""
    tt = p.get("TargetType") or "*"
    if tt == "Tags":
        return [{"Key": f"tag:{p['TargetTagKey']}", "Values": [p.get("TargetTagValue", "")]}]
    if tt == "InstanceIds":
        return [{"Key": "InstanceIds", "Values": [i for i in p.get("TargetInstances", "").split(",") if i]}]
    return [{"Key": "InstanceIds", "Values": ["*"]}]


def runs_on_change(backend, mgr, everywhere=False):
    """The runs Quick Setup starts outside the schedule. Console options (quick-setup-patch-manager):
    "By default, Patch Manager immediately scans nodes as they become targets" unless "Wait to scan
    targets until first CRON interval" (ConfigurationOptionsScanNextInterval = "true"); clearing "Wait
    to install updates until first CRON interval" (ConfigurationOptionsInstallNextInterval = "false")
    makes it "immediately install updates on nodes as they become targets". ``everywhere``: the policy
    was created, or updated (UNCONFIRMED for an update: AWS does not say; the stand-in runs, the
    stricter reading); otherwise only nodes that newly became targets run."""
    d = _policy_definition(mgr)
    if d is None:
        return
    p = d.get("Parameters") or {}
    now = set(fleet.resolve_targets(backend, [], _policy_targets(p)))
    new, mgr.targeted = now - mgr.targeted, now
    nodes = now if everywhere else new
    if not nodes:
        return
    attach_node_policies(backend, d, sorted(nodes))
    for operation, flag in _NEXT_INTERVAL:
        if operation == "Install" and p.get("ConfigurationOptionsPatchOperation") != "ScanAndInstall":
            continue
        if p.get(flag, "false") != "true":
            run_patch_policy(backend, mgr.arn, operation, only=None if everywhere else sorted(new))


# IsPolicyAttachAllowed: "A boolean value that determines whether Quick Setup attaches policies to
# instances profiles already associated with the target instances. The default value is "false"."
# (ssm-quicksetup API, ConfigurationDefinitionInput.Parameters, patch policy). Console
# (quick-setup-patch-manager): "apply the IAM policies created by this Quick Setup configuration to nodes
# that already have an instance profile attached ... Your selection here is applied to managed nodes
# created later in the accounts and Regions that this patch policy configuration applies to."
# What is attached: what the user guide asks for when the option is off — AmazonSSMManagedInstanceCore,
# s3:GetObject on the aws-quicksetup-patchpolicy-* buckets, and the tag QSConfigId-<configuration-id> =
# <configuration-id> on the role (quick-setup-patch-manager, "you must ensure that the following are
# implemented"); the s3:GetObject part as the AWS managed policy AWSQuickSetupPatchPolicyBaselineAccess
# ("s3:GetObject" on "arn:aws:s3:::aws-quicksetup-patchpolicy-*" for the same account), which Quick
# Setup attaches to node roles with the QSConfigId tag (its remediation role may iam:AttachRolePolicy
# AmazonSSMManagedInstanceCore and the patch-policy baseline-override S3 policy and iam:TagRole
# "aws:TagKeys": "QSConfigId-<id>", public copies of the Quick Setup templates). The stand-in attaches
# at deployment (create, definition update) to the targets and to each node that becomes a target,
# and before each run (control API) to its targets. Without the option nothing is attached: a role
# that was not prepared cannot read baseline_overrides.json (sim.fleet, quick_setup_bucket_policy).
QS_NODE_POLICIES = (fleet.CORE_POLICY, "arn:aws:iam::aws:policy/AWSQuickSetupPatchPolicyBaselineAccess")


def attach_node_policies(backend, definition, node_ids):
    p = definition.get("Parameters") or {}
    if p.get("IsPolicyAttachAllowed") != "true":
        return
    cid = definition["Id"]
    fleet.attach_to_roles(backend, node_ids, QS_NODE_POLICIES, {f"QSConfigId-{cid}": cid})


def _on_fleet_change(backend):
    qs = quicksetup_backends[backend.account_id][backend.region_name]
    for mgr in list(qs.managers.values()):
        runs_on_change(backend, mgr)


def run_patch_policy(backend, manager_arn, operation, only=None):
    """Run a Quick Setup patch policy's Scan or Install now, the way AWS documents it:
    - "Systems Manager automatically creates an S3 bucket and adds a baseline_overrides.json file to
      it" — bucket aws-quicksetup-patchpolicy-<account-id>-<quick-setup-configuration-id>
      (quick-setup-patch-manager, "Random patch baseline IDs in patch policy operations");
    - the run is AWS-RunPatchBaseline with that BaselineOverride and an AssociationId, so "patching is
      done as a PatchPolicy operation" and compliance is updated (patch-manager-aws-runpatchbaseline,
      AssociationId; patch-manager-baselineoverride-parameter).
    Targets follow TargetType (*, InstanceIds, Tags) of the policy's parameters; ``only``: these nodes
    instead (nodes that newly became targets)."""
    qs = quicksetup_backends[backend.account_id][backend.region_name]
    mgr = qs.get(manager_arn)
    d = _policy_definition(mgr)
    if d is None:
        raise ssm_models.RESTError("ValidationException", f"{manager_arn} has no {PATCH_POLICY} definition")
    p = d.get("Parameters") or {}
    if operation == "Install" and p.get("ConfigurationOptionsPatchOperation") != "ScanAndInstall":
        raise ssm_models.RESTError("ValidationException",
                                   "the policy's ConfigurationOptionsPatchOperation is Scan only")
    overrides = []
    for os_, entry in json.loads(p.get("SelectedPatchBaselines") or "{}").items():
        if os_ not in fleet.OS_INFO:
            continue
        bid = entry.get("value", "").split("/")[-1]
        if bid in backend.baselines:
            b = fleet.baseline_dict(backend.baselines[bid])
        else:
            b = fleet.default_baseline(backend, os_)
        overrides.append({k: b[k] for k in fleet.OVERRIDE_KEYS if k in b})
    bucket = f"aws-quicksetup-patchpolicy-{backend.account_id}-{d['Id']}"
    s3 = s3_backends[backend.account_id]["aws"]
    try:
        s3.get_bucket(bucket)
    except Exception:
        s3.create_bucket(bucket, backend.region_name)
    s3.put_object(bucket, "baseline_overrides.json", json.dumps(overrides, indent=4, sort_keys=True).encode())
    instance_ids, targets = (list(only), []) if only is not None else ([], _policy_targets(p))
    attach_node_policies(backend, d, fleet.resolve_targets(backend, instance_ids, targets))
    assoc_id = mgr.association_ids.setdefault(operation, str(uuid.uuid4()))
    params = {"Operation": [operation], "BaselineOverride": [f"s3://{bucket}/baseline_overrides.json"],
              "AssociationId": [assoc_id], "RebootOption": [p.get("RebootOption") or "RebootIfNeeded"]}
    out_bucket = p.get("OutputS3BucketName", "") if p.get("OutputLogEnableS3") == "true" else ""
    return commands.send(backend, "AWS-RunPatchBaseline", instance_ids, targets, params, output_bucket=out_bucket,
                         output_prefix=p.get("OutputS3KeyPrefix", ""),
                         max_concurrency=p.get("RateControlConcurrency") or "10%",
                         max_errors=p.get("RateControlErrorThreshold") or "2%", execution_id=str(uuid.uuid4()))


url_bases = [r"https?://ssm-quicksetup\.(.+)\.amazonaws\.com"]
url_paths = {
    "{0}/configurationManager$": QuickSetupResponse.dispatch,
    "{0}/configurationManager/(?P<ManagerArn>.+)$": QuickSetupResponse.dispatch,
    "{0}/configurationDefinition/(?P<ManagerArn>.+)/(?P<Id>[^/]+)$": QuickSetupResponse.dispatch,
    "{0}/listConfigurationManagers$": QuickSetupResponse.dispatch,
    "{0}/listConfigurations$": QuickSetupResponse.dispatch,
    "{0}/getConfiguration/(?P<ConfigurationId>[^/]+)$": QuickSetupResponse.dispatch,
    "{0}/listQuickSetupTypes$": QuickSetupResponse.dispatch,
    "{0}/serviceSettings$": QuickSetupResponse.dispatch,
    "{0}/tags/(?P<ResourceArn>.+)$": QuickSetupResponse.dispatch,
}


def install():
    """Register the backend with moto's server dispatcher (host pattern + get_backend), and the
    policies' runs on nodes that become targets."""
    state.fleet_listeners.append(_on_fleet_change)
    backend_index.backend_url_patterns.insert(
        0, (SERVICE, re.compile(r"https?://ssm-quicksetup\.(.+)\.amazonaws\.com")))
    orig = backends.get_backend

    def get_backend(name):
        if name == SERVICE:
            return quicksetup_backends
        return orig(name)

    backends.get_backend = get_backend
