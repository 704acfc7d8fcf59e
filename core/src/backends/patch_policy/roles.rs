//! Quick Setup's two local deployment roles: checked before a patch policy is created, updated
//! or deleted (Quick Setup deploys — and deletes — the policy through CloudFormation StackSets
//! run as these roles), and created on request (`[patch-policy] create-deployment-roles`).
//!
//! What the roles are, as a public Terraform configuration that creates them for
//! `aws_ssmquicksetup_configuration_manager` does it, and as CloudFormation's self-managed
//! StackSets permissions describe them (CloudFormation user guide, "Grant self-managed
//! permissions": an administration role "trusted by CloudFormation" that may assume the execution
//! role):
//!
//! - the **administration role** trusts `cloudformation.amazonaws.com`, limited to the account's
//!   `AWS-QuickSetup-*` StackSets (`aws:SourceAccount`, `aws:SourceArn`), and may assume the
//!   execution role;
//! - the **execution role** trusts the administration role and carries the AWS managed policy
//!   `AWSQuickSetupPatchPolicyDeploymentRolePolicy` ("Provides permissions that allow Quick Setup
//!   to create resources associated with a patch policy configuration", AWS managed policy
//!   reference).
//!
//! Both are one resource ([`Kind::DeploymentRoles`]): the execution role's trust policy names the
//! administration role, which IAM requires to exist, so the administration role is made first.
//! An existing role of either name is used as it is, whoever made it; ssmpatch changes only a
//! role it created (tag `ssmpatch:managed-by = ssmpatch`), and never deletes one (other patch
//! policies, and Quick Setup deleting this one, deploy through them).

use aws_sdk_iam::types::{Role, Tag};
use serde_json::{Value, json};

use crate::backends::model::{Desired, Key, Kind, Observed, Payload};
use crate::backends::naming::{MANAGED_BY, TAG_MANAGED_BY};
use crate::error::{Error, aws};
use crate::plan::{DEPLOYMENT_ROLE_POLICY, LEGACY_ADMINISTRATION_ROLE, LEGACY_EXECUTION_ROLE, Plan};

/// Stands for the caller's account id in the desired roles (known only when AWS is asked).
pub(crate) const ACCOUNT: &str = "<account>";
/// Stands for the caller's ARN partition in the desired roles.
pub(crate) const PARTITION: &str = "<partition>";
/// The administration role's inline policy: it may assume the execution role.
pub(crate) const ASSUME_EXECUTION_POLICY: &str = "AssumeQuickSetupExecutionRole";

/// The IAM actions that read the roles to create them (`plan` and `apply`, only when the plan
/// asks for the roles to be created); `iam:GetRole` is read whenever a patch policy changes.
pub const CREATE_ROLES_READ: &[&str] = &["iam:GetRole", "iam:ListAttachedRolePolicies", "iam:GetRolePolicy"];
/// The IAM actions that create the roles or complete them (`apply`, only when the plan asks for
/// the roles to be created). `iam:TagRole`: CreateRole is sent with the ownership tag.
pub const CREATE_ROLES_CHANGE: &[&str] =
    &["iam:CreateRole", "iam:TagRole", "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:UpdateAssumeRolePolicy"];

/// The `(administration, execution)` role names `plan` deploys its patch policy through.
pub fn deployment_roles(plan: &Plan) -> (String, String) {
    let s = plan.patch_policy();
    (s.administration_role.clone(), s.execution_role.clone())
}

/// The roles resource: its key.
fn key(admin: &str, exec: &str) -> Key {
    Key::new(Kind::DeploymentRoles, format!("{admin},{exec}"))
}

fn admin_spec(exec: &str) -> Value {
    json!({
        "AssumeRolePolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": {"Service": "cloudformation.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": ACCOUNT},
                    "StringLike": {"aws:SourceArn": format!("arn:{PARTITION}:cloudformation:*:{ACCOUNT}:stackset/AWS-QuickSetup-*")},
                },
            }],
        },
        "InlinePolicies": {
            ASSUME_EXECUTION_POLICY: {
                "Version": "2012-10-17",
                "Statement": [{
                    "Effect": "Allow",
                    "Action": "sts:AssumeRole",
                    "Resource": format!("arn:{PARTITION}:iam::{ACCOUNT}:role/{exec}"),
                }],
            },
        },
        "ManagedPolicyArns": [],
    })
}

fn exec_spec(admin: &str) -> Value {
    json!({
        "AssumeRolePolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": {"AWS": format!("arn:{PARTITION}:iam::{ACCOUNT}:role/{admin}")},
                "Action": "sts:AssumeRole",
            }],
        },
        "InlinePolicies": {},
        "ManagedPolicyArns": [format!("arn:{PARTITION}:iam::aws:policy/{DEPLOYMENT_ROLE_POLICY}")],
    })
}

/// The roles `plan` asks ssmpatch to create, when it does.
pub(crate) fn desired(plan: &Plan) -> Option<Desired> {
    if !plan.patch_policy().create_deployment_roles {
        return None;
    }
    let (admin, exec) = deployment_roles(plan);
    Some(Desired {
        key: key(&admin, &exec),
        spec: json!({
            "AdministrationRole": {"RoleName": admin, "Role": admin_spec(&exec)},
            "ExecutionRole": {"RoleName": exec, "Role": exec_spec(&admin)},
        }),
        payload: Payload::None,
    })
}

/// Where the desired roles' placeholders come from.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    pub(crate) account: String,
    pub(crate) partition: String,
}

impl Caller {
    /// `v` with the placeholders filled in.
    fn fill(&self, v: &Value) -> Value {
        map_strings(v, &|s| s.replace(PARTITION, &self.partition).replace(ACCOUNT, &self.account))
    }

    /// `v` with this caller's account and partition written as placeholders.
    fn abstract_(&self, v: &Value) -> Value {
        let arn = format!("arn:{}:", self.partition);
        map_strings(v, &|s| s.replace(&arn, &format!("arn:{PARTITION}:")).replace(&self.account, ACCOUNT))
    }
}

fn map_strings(v: &Value, f: &dyn Fn(&str) -> String) -> Value {
    match v {
        Value::String(s) => Value::String(f(s)),
        Value::Array(a) => Value::Array(a.iter().map(|x| map_strings(x, f)).collect()),
        Value::Object(m) => Value::Object(m.iter().map(|(k, x)| (k.clone(), map_strings(x, f))).collect()),
        other => other.clone(),
    }
}

/// A policy document as IAM returns it: URL-encoded JSON ("The policy document returned in this
/// structure is URL-encoded compliant with RFC 3986", IAM API reference, Role), or plain JSON.
pub(crate) fn policy_document(text: &str) -> Value {
    if let Ok(v) = serde_json::from_str(text) {
        return v;
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                match u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"), 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                    }
                    Err(_) => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    serde_json::from_slice(&out).unwrap_or(Value::Null)
}

// --- AWS --------------------------------------------------------------------------------------------

/// The role named `name`, or `None` when IAM has none (NoSuchEntity).
pub(crate) async fn get(iam: &aws_sdk_iam::Client, name: &str) -> Result<Option<Role>, Error> {
    match iam.get_role().role_name(name).send().await {
        Ok(out) => Ok(out.role().cloned()),
        Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_entity_exception()) => Ok(None),
        Err(e) => Err(aws("iam", "GetRole", e)),
    }
}

fn created_by_ssmpatch(role: &Role) -> bool {
    role.tags().iter().any(|t| t.key() == TAG_MANAGED_BY && t.value() == MANAGED_BY)
}

/// One role as it is: `null` when it does not exist, the desired form when someone else made it
/// (used as it is), else what IAM holds of what ssmpatch manages on it.
async fn observe_role(iam: &aws_sdk_iam::Client, caller: &Caller, want: &Value) -> Result<Value, Error> {
    let name = want.get("RoleName").and_then(Value::as_str).unwrap_or_default();
    let Some(role) = get(iam, name).await? else { return Ok(Value::Null) };
    if !created_by_ssmpatch(&role) {
        return Ok(want.clone());
    }
    let trust = caller.abstract_(&policy_document(role.assume_role_policy_document().unwrap_or_default()));
    let mut inline = serde_json::Map::new();
    if let Some(names) = want.pointer("/Role/InlinePolicies").and_then(Value::as_object) {
        for policy in names.keys() {
            match iam.get_role_policy().role_name(name).policy_name(policy).send().await {
                Ok(p) => {
                    inline.insert(policy.clone(), caller.abstract_(&policy_document(p.policy_document())));
                }
                Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_entity_exception()) => {}
                Err(e) => return Err(aws("iam", "GetRolePolicy", e)),
            }
        }
    }
    let attached: Vec<String> = iam
        .list_attached_role_policies()
        .role_name(name)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| aws("iam", "ListAttachedRolePolicies", e))?
        .iter()
        .filter_map(|p| p.policy_arn().map(|a| caller.abstract_(&json!(a)).as_str().unwrap_or_default().to_string()))
        .collect();
    // Only the managed policies ssmpatch attaches are compared; others stay as they are.
    let managed: Vec<&Value> = want
        .pointer("/Role/ManagedPolicyArns")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter(|x| x.as_str().is_some_and(|x| attached.iter().any(|y| y == x))).collect())
        .unwrap_or_default();
    Ok(json!({
        "RoleName": name,
        "Role": {"AssumeRolePolicyDocument": trust, "InlinePolicies": inline, "ManagedPolicyArns": managed},
    }))
}

/// The roles as they are, when the plan asks for them; `None` when neither exists.
pub(crate) async fn observe(
    iam: &aws_sdk_iam::Client,
    caller: &Caller,
    desired: &[Desired],
) -> Result<Option<Observed>, Error> {
    let Some(d) = desired.iter().find(|d| d.key.kind == Kind::DeploymentRoles) else { return Ok(None) };
    let admin = observe_role(iam, caller, d.spec.get("AdministrationRole").unwrap_or(&Value::Null)).await?;
    let exec = observe_role(iam, caller, d.spec.get("ExecutionRole").unwrap_or(&Value::Null)).await?;
    if admin.is_null() && exec.is_null() {
        return Ok(None);
    }
    Ok(Some(Observed {
        key: d.key.clone(),
        id: d.key.name.clone(),
        parent_id: None,
        spec: json!({"AdministrationRole": admin, "ExecutionRole": exec}),
        // Roles are never deleted: this resource only ever creates or completes them.
        owned: true,
    }))
}

/// Make both roles as `d` wants them, the administration role first: create what is missing,
/// complete what ssmpatch created earlier (an apply that stopped half way), leave other roles
/// alone. Safe to repeat: nothing is created twice.
pub(crate) async fn ensure(
    iam: &aws_sdk_iam::Client,
    caller: &Caller,
    d: &Desired,
    observed: Option<&Observed>,
) -> Result<String, Error> {
    for which in ["AdministrationRole", "ExecutionRole"] {
        let want = d.spec.get(which).cloned().unwrap_or(Value::Null);
        let have = observed.and_then(|o| o.spec.get(which)).cloned().unwrap_or(Value::Null);
        if want == have {
            continue;
        }
        ensure_role(iam, caller, &want, &have).await?;
    }
    Ok(d.key.name.clone())
}

async fn ensure_role(iam: &aws_sdk_iam::Client, caller: &Caller, want: &Value, have: &Value) -> Result<(), Error> {
    let name = want.get("RoleName").and_then(Value::as_str).unwrap_or_default();
    let role = want.get("Role").cloned().unwrap_or(Value::Null);
    let trust = caller.fill(role.get("AssumeRolePolicyDocument").unwrap_or(&Value::Null));
    let mut have = have.clone();
    if have.is_null() {
        let tag = Tag::builder()
            .key(TAG_MANAGED_BY)
            .value(MANAGED_BY)
            .build()
            .map_err(|e| Error::Internal(format!("cannot build the role's tag: {e}")))?;
        let made = iam
            .create_role()
            .role_name(name)
            .assume_role_policy_document(trust.to_string())
            .description("Quick Setup local deployment role for patch policies (created by ssmpatch)")
            .tags(tag)
            .send()
            .await;
        match made {
            Ok(_) => {
                have = json!({"RoleName": name, "Role": {"InlinePolicies": {}, "ManagedPolicyArns": [], "AssumeRolePolicyDocument": role.get("AssumeRolePolicyDocument")}})
            }
            // Made meanwhile (another apply, a person): read it again and treat it as found.
            Err(e) if e.as_service_error().is_some_and(|s| s.is_entity_already_exists_exception()) => {
                have = observe_role(iam, caller, want).await?;
                if have == *want {
                    return Ok(());
                }
            }
            Err(e) => return Err(aws("iam", "CreateRole", e)),
        }
    }
    let have_role = have.get("Role").cloned().unwrap_or(Value::Null);
    if have_role.get("AssumeRolePolicyDocument") != role.get("AssumeRolePolicyDocument") {
        iam.update_assume_role_policy()
            .role_name(name)
            .policy_document(trust.to_string())
            .send()
            .await
            .map_err(|e| aws("iam", "UpdateAssumeRolePolicy", e))?;
    }
    if let Some(inline) = role.get("InlinePolicies").and_then(Value::as_object) {
        for (policy, doc) in inline {
            if have_role.pointer(&format!("/InlinePolicies/{policy}")) != Some(doc) {
                iam.put_role_policy()
                    .role_name(name)
                    .policy_name(policy)
                    .policy_document(caller.fill(doc).to_string())
                    .send()
                    .await
                    .map_err(|e| aws("iam", "PutRolePolicy", e))?;
            }
        }
    }
    let attached: Vec<&Value> =
        have_role.get("ManagedPolicyArns").and_then(Value::as_array).map(|a| a.iter().collect()).unwrap_or_default();
    for arn in role.get("ManagedPolicyArns").and_then(Value::as_array).into_iter().flatten() {
        if !attached.contains(&arn) {
            let arn = caller.fill(arn);
            iam.attach_role_policy()
                .role_name(name)
                .policy_arn(arn.as_str().unwrap_or_default())
                .send()
                .await
                .map_err(|e| aws("iam", "AttachRolePolicy", e))?;
        }
    }
    Ok(())
}

/// Before a patch policy is created, updated or deleted: both deployment roles exist. A missing
/// one is an error that says how to create them, and names the older StackSet roles when the
/// account has those instead.
pub(crate) async fn check(iam: &aws_sdk_iam::Client, admin: &str, exec: &str, what: &str) -> Result<(), Error> {
    let mut missing = Vec::new();
    for name in [admin, exec] {
        if get(iam, name).await?.is_none() {
            missing.push(name);
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    let mut hint = format!(
        "create them once per account: set `[patch-policy] create-deployment-roles = true` and apply again; or \
         create the patch policy roles in Quick Setup's console (Patch Manager, \"Use new IAM local deployment \
         roles\"); or create them yourself: {admin} trusted by cloudformation.amazonaws.com (for the account's \
         stack sets AWS-QuickSetup-*) and allowed sts:AssumeRole on {exec}, and {exec} trusted by {admin} with the \
         AWS managed policy {DEPLOYMENT_ROLE_POLICY} (docs/patch-policies.md)"
    );
    // The older roles are only a suggestion: a caller who may not read them (the printed policy
    // need not grant it) still gets the error, without the suggestion.
    let legacy = (LEGACY_ADMINISTRATION_ROLE, LEGACY_EXECUTION_ROLE);
    let exists = |name| async move { matches!(get(iam, name).await, Ok(Some(_))) };
    if (admin, exec) != legacy && exists(legacy.0).await && exists(legacy.1).await {
        hint = format!(
            "this account has Quick Setup's older deployment roles {} and {}: to deploy through them, set \
             `[patch-policy] administration-role = \"{}\"` and `execution-role = \"{}\"`; or {hint}",
            legacy.0, legacy.1, legacy.0, legacy.1
        );
    }
    Err(Error::input(
        format!(
            "nothing was changed: Quick Setup's local deployment role{} {} {} not exist, and {what} deploys through \
             {admin} and {exec}",
            if missing.len() == 1 { "" } else { "s" },
            missing.join(" and "),
            if missing.len() == 1 { "does" } else { "do" },
        ),
        Some(hint),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_documents_are_read_url_encoded_or_plain() {
        let doc = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]});
        assert_eq!(policy_document(&doc.to_string()), doc);
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D";
        assert_eq!(policy_document(encoded), doc);
    }

    #[test]
    fn placeholders_round_trip() {
        let c = Caller { account: "123456789012".into(), partition: "aws-cn".into() };
        let spec = exec_spec("Admin");
        let filled = c.fill(&spec);
        assert!(filled.to_string().contains("arn:aws-cn:iam::123456789012:role/Admin"), "{filled}");
        assert!(filled.to_string().contains("arn:aws-cn:iam::aws:policy/AWSQuickSetupPatchPolicyDeploymentRolePolicy"));
        assert_eq!(c.abstract_(&filled), spec);
    }
}
