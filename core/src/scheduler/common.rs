//! What every backend shares: tags and ownership, override objects in S3, custom patch baselines
//! and their patch-group registration, and JSON ↔ SDK conversions.

use std::collections::BTreeMap;

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::ServerSideEncryption;
use aws_sdk_ssm::types::{
    OperatingSystem as SdkOs, PatchAction, PatchComplianceLevel, PatchFilter, PatchFilterGroup, PatchFilterKey,
    PatchOrchestratorFilter, PatchRule, PatchRuleGroup, PatchSource, ResourceTypeForTagging, Tag, Target,
};
use serde_json::{Map, Value, json};

use super::{Desired, Key, Kind, MANAGED_BY, Observed, TAG_MANAGED_BY, TAG_PLAN};
use crate::aws::Clients;
use crate::error::{Error, aws};

pub(crate) fn s(v: &Value, k: &str) -> Option<String> {
    v.get(k).and_then(Value::as_str).map(str::to_string)
}

pub(crate) fn i(v: &Value, k: &str) -> Option<i32> {
    v.get(k).and_then(Value::as_i64).and_then(|x| i32::try_from(x).ok())
}

pub(crate) fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

fn bad(what: &str) -> Error {
    Error::Unexpected(format!("cannot build {what} from the plan's resource (a bug in ssmpatch)"))
}

// --- tags ------------------------------------------------------------------------------------

pub(crate) fn sdk_tags(v: Option<&Value>) -> Vec<Tag> {
    v.and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, x)| Tag::builder().key(k).value(x.as_str().unwrap_or_default()).build().ok())
                .collect()
        })
        .unwrap_or_default()
}

pub(crate) fn tags_json(tags: &[Tag]) -> Value {
    let m: BTreeMap<&str, &str> = tags.iter().map(|t| (t.key(), t.value())).collect();
    json!(m)
}

pub(crate) fn is_owned(tags: &Value, plan: &str) -> bool {
    tags.get(TAG_MANAGED_BY).and_then(Value::as_str) == Some(MANAGED_BY)
        && tags.get(TAG_PLAN).and_then(Value::as_str) == Some(plan)
}

pub(crate) async fn list_tags(c: &Clients, rtype: ResourceTypeForTagging, id: &str) -> Result<Value, Error> {
    let out = c
        .ssm
        .list_tags_for_resource()
        .resource_type(rtype)
        .resource_id(id)
        .send()
        .await
        .map_err(|e| aws("ssm", "ListTagsForResource", e))?;
    Ok(tags_json(out.tag_list()))
}

/// Make the resource's tags equal `to` (add/overwrite, then remove what is gone).
pub(crate) async fn sync_tags(
    c: &Clients,
    rtype: ResourceTypeForTagging,
    id: &str,
    from: &Value,
    to: &Value,
) -> Result<(), Error> {
    if from == to {
        return Ok(());
    }
    let add = sdk_tags(Some(to));
    if !add.is_empty() {
        c.ssm
            .add_tags_to_resource()
            .resource_type(rtype.clone())
            .resource_id(id)
            .set_tags(Some(add))
            .send()
            .await
            .map_err(|e| aws("ssm", "AddTagsToResource", e))?;
    }
    let gone: Vec<String> = from
        .as_object()
        .map(|m| m.keys().filter(|k| to.get(k.as_str()).is_none()).cloned().collect())
        .unwrap_or_default();
    if !gone.is_empty() {
        c.ssm
            .remove_tags_from_resource()
            .resource_type(rtype)
            .resource_id(id)
            .set_tag_keys(Some(gone))
            .send()
            .await
            .map_err(|e| aws("ssm", "RemoveTagsFromResource", e))?;
    }
    Ok(())
}

// --- targets ---------------------------------------------------------------------------------

pub(crate) fn sdk_targets(v: Option<&Value>) -> Vec<Target> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|t| Target::builder().set_key(s(t, "Key")).set_values(Some(strings(t.get("Values")))).build())
                .collect()
        })
        .unwrap_or_default()
}

pub(crate) fn targets_json(ts: &[Target]) -> Value {
    Value::Array(ts.iter().map(|t| json!({"Key": t.key().unwrap_or_default(), "Values": t.values()})).collect())
}

// --- override objects in S3 ------------------------------------------------------------------

/// Objects under `<override-prefix>/<plan>/` in the plan's bucket.
pub(crate) async fn observe_objects(c: &Clients, desired: &[Desired]) -> Result<Vec<Observed>, Error> {
    // The bucket and the plan's prefix come from the desired objects; with no override in the
    // plan there is nothing of ours to find.
    let Some(first) = desired.iter().find(|d| d.key.kind == Kind::OverrideObject) else { return Ok(Vec::new()) };
    let (Some(bucket), Some(key)) = (s(&first.spec, "Bucket"), s(&first.spec, "Key")) else { return Ok(Vec::new()) };
    // `<prefix>/<plan>/<operation>/<sha>.json` → `<prefix>/<plan>/`
    let parts: Vec<&str> = key.rsplitn(3, '/').collect();
    let Some(plan_prefix) = parts.get(2) else { return Ok(Vec::new()) };
    let plan_prefix = format!("{plan_prefix}/");
    let mut out = Vec::new();
    let mut token = None;
    loop {
        let page =
            c.s3.list_objects_v2()
                .bucket(&bucket)
                .prefix(&plan_prefix)
                .set_continuation_token(token)
                .send()
                .await
                .map_err(|e| aws("s3", "ListObjectsV2", e))?;
        for o in page.contents() {
            if let Some(k) = o.key().filter(|k| k.ends_with(".json")) {
                out.push(Observed {
                    key: Key::new(Kind::OverrideObject, k),
                    id: k.to_string(),
                    parent_id: None,
                    spec: json!({"Bucket": bucket, "Key": k}),
                    owned: true,
                });
            }
        }
        token = page.next_continuation_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    Ok(out)
}

/// Upload an override document: private (no ACL), encrypted, never overwriting.
pub(crate) async fn put_object(
    c: &Clients,
    d: &Desired,
    kms_key: Option<&str>,
    owner: Option<&str>,
) -> Result<String, Error> {
    let bucket = s(&d.spec, "Bucket").ok_or_else(|| bad("an S3 object"))?;
    let key = s(&d.spec, "Key").ok_or_else(|| bad("an S3 object"))?;
    let body = d.body.clone().unwrap_or_default();
    let mut req =
        c.s3.put_object()
            .bucket(&bucket)
            .key(&key)
            .content_type("application/json")
            .body(ByteStream::from(body))
            .if_none_match("*")
            .set_expected_bucket_owner(owner.map(str::to_string));
    req = match kms_key {
        Some(k) => req.server_side_encryption(ServerSideEncryption::AwsKms).ssekms_key_id(k),
        None => req.server_side_encryption(ServerSideEncryption::Aes256),
    };
    match req.send().await {
        Ok(_) => Ok(key),
        // Content-addressed: an object already there holds these exact bytes.
        Err(e) if aws_code(&e) == Some("PreconditionFailed") => Ok(key),
        Err(e) => Err(aws("s3", "PutObject", e)),
    }
}

fn aws_code<E: aws_sdk_s3::error::ProvideErrorMetadata, R>(
    e: &aws_smithy_runtime_api::client::result::SdkError<E, R>,
) -> Option<&str> {
    match e {
        aws_smithy_runtime_api::client::result::SdkError::ServiceError(se) => se.err().code(),
        _ => None,
    }
}

pub(crate) async fn delete_object(c: &Clients, o: &Observed, owner: Option<&str>) -> Result<(), Error> {
    let bucket = s(&o.spec, "Bucket").ok_or_else(|| bad("an S3 object"))?;
    c.s3.delete_object()
        .bucket(bucket)
        .key(&o.id)
        .set_expected_bucket_owner(owner.map(str::to_string))
        .send()
        .await
        .map_err(|e| aws("s3", "DeleteObject", e))?;
    Ok(())
}

// --- patch baselines -------------------------------------------------------------------------

fn filter_group(v: Option<&Value>) -> Result<PatchFilterGroup, Error> {
    let filters: Vec<PatchFilter> = v
        .and_then(|g| g.get("PatchFilters"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|f| {
                    PatchFilter::builder()
                        .key(PatchFilterKey::from(s(f, "Key").unwrap_or_default().as_str()))
                        .set_values(Some(strings(f.get("Values"))))
                        .build()
                        .map_err(|_| bad("a patch filter"))
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?
        .unwrap_or_default();
    PatchFilterGroup::builder().set_patch_filters(Some(filters)).build().map_err(|_| bad("a patch filter group"))
}

fn filter_group_json(g: Option<&PatchFilterGroup>) -> Value {
    let filters: Vec<Value> = g
        .map(|g| g.patch_filters().iter().map(|f| json!({"Key": f.key().as_str(), "Values": f.values()})).collect())
        .unwrap_or_default();
    json!({"PatchFilters": filters})
}

fn rule_group(v: Option<&Value>) -> Result<PatchRuleGroup, Error> {
    let rules: Vec<PatchRule> = v
        .and_then(|g| g.get("PatchRules"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|r| {
                    Ok(PatchRule::builder()
                        .patch_filter_group(filter_group(r.get("PatchFilterGroup"))?)
                        .set_compliance_level(s(r, "ComplianceLevel").map(|l| PatchComplianceLevel::from(l.as_str())))
                        .set_approve_after_days(i(r, "ApproveAfterDays"))
                        .set_approve_until_date(s(r, "ApproveUntilDate"))
                        .set_enable_non_security(r.get("EnableNonSecurity").and_then(Value::as_bool))
                        .build())
                })
                .collect::<Result<Vec<_>, Error>>()
        })
        .transpose()?
        .unwrap_or_default();
    PatchRuleGroup::builder().set_patch_rules(Some(rules)).build().map_err(|_| bad("approval rules"))
}

fn rule_group_json(g: Option<&PatchRuleGroup>) -> Value {
    let rules: Vec<Value> = g
        .map(|g| {
            g.patch_rules()
                .iter()
                .map(|r| {
                    let mut m = Map::new();
                    if let Some(d) = r.approve_after_days() {
                        m.insert("ApproveAfterDays".into(), json!(d));
                    }
                    if let Some(d) = r.approve_until_date() {
                        m.insert("ApproveUntilDate".into(), json!(d));
                    }
                    m.insert(
                        "ComplianceLevel".into(),
                        json!(r.compliance_level().map_or("UNSPECIFIED", |l| l.as_str())),
                    );
                    m.insert("EnableNonSecurity".into(), json!(r.enable_non_security().unwrap_or(false)));
                    m.insert("PatchFilterGroup".into(), filter_group_json(r.patch_filter_group()));
                    Value::Object(m)
                })
                .collect()
        })
        .unwrap_or_default();
    json!({"PatchRules": rules})
}

fn sources(v: Option<&Value>) -> Result<Vec<PatchSource>, Error> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|x| {
                    PatchSource::builder()
                        .set_name(s(x, "Name"))
                        .set_products(Some(strings(x.get("Products"))))
                        .set_configuration(s(x, "Configuration"))
                        .build()
                        .map_err(|_| bad("a patch source"))
                })
                .collect()
        })
        .unwrap_or(Ok(Vec::new()))
}

/// Custom baselines named `ssmpatch-<plan>-…`, with their rules, patch groups and tags.
pub(crate) async fn observe_baselines(c: &Clients, plan: &str) -> Result<Vec<Observed>, Error> {
    let prefix = super::desired::prefix(plan);
    let mut ids = Vec::new();
    let mut token = None;
    loop {
        let page = c
            .ssm
            .describe_patch_baselines()
            .filters(PatchOrchestratorFilter::builder().key("NAME_PREFIX").values(&prefix).build())
            .filters(PatchOrchestratorFilter::builder().key("OWNER").values("Self").build())
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| aws("ssm", "DescribePatchBaselines", e))?;
        for b in page.baseline_identities() {
            if let (Some(id), Some(name)) = (b.baseline_id(), b.baseline_name())
                && name.starts_with(&prefix)
            {
                ids.push(id.to_string());
            }
        }
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    let mut out = Vec::new();
    for id in ids {
        let b =
            c.ssm.get_patch_baseline().baseline_id(&id).send().await.map_err(|e| aws("ssm", "GetPatchBaseline", e))?;
        let tags = list_tags(c, ResourceTypeForTagging::PatchBaseline, &id).await?;
        let name = b.name().unwrap_or_default().to_string();
        let mut groups: Vec<String> = b.patch_groups().to_vec();
        groups.sort();
        let sources: Vec<Value> = b
            .sources()
            .iter()
            .map(|x| json!({"Configuration": x.configuration(), "Name": x.name(), "Products": x.products()}))
            .collect();
        let spec = json!({
            "ApprovalRules": rule_group_json(b.approval_rules()),
            "ApprovedPatches": b.approved_patches(),
            "ApprovedPatchesComplianceLevel": b.approved_patches_compliance_level().map_or("UNSPECIFIED", |l| l.as_str()),
            "ApprovedPatchesEnableNonSecurity": b.approved_patches_enable_non_security().unwrap_or(false),
            "Description": b.description().unwrap_or_default(),
            "GlobalFilters": filter_group_json(b.global_filters()),
            "Name": name,
            "OperatingSystem": b.operating_system().map(|o| o.as_str()).unwrap_or_default(),
            "PatchGroups": groups,
            "RejectedPatches": b.rejected_patches(),
            "RejectedPatchesAction": b.rejected_patches_action().map_or("ALLOW_AS_DEPENDENCY", |a| a.as_str()),
            "Sources": sources,
            "Tags": tags,
        });
        out.push(Observed {
            key: Key::new(Kind::PatchBaseline, name),
            id,
            parent_id: None,
            owned: is_owned(&tags, plan),
            spec,
        });
    }
    Ok(out)
}

pub(crate) async fn create_baseline(c: &Clients, d: &Desired) -> Result<String, Error> {
    let v = &d.spec;
    let out = c
        .ssm
        .create_patch_baseline()
        .set_name(s(v, "Name"))
        .operating_system(SdkOs::from(s(v, "OperatingSystem").unwrap_or_default().as_str()))
        .global_filters(filter_group(v.get("GlobalFilters"))?)
        .approval_rules(rule_group(v.get("ApprovalRules"))?)
        .set_approved_patches(Some(strings(v.get("ApprovedPatches"))))
        .set_approved_patches_compliance_level(
            s(v, "ApprovedPatchesComplianceLevel").map(|l| PatchComplianceLevel::from(l.as_str())),
        )
        .set_approved_patches_enable_non_security(v.get("ApprovedPatchesEnableNonSecurity").and_then(Value::as_bool))
        .set_rejected_patches(Some(strings(v.get("RejectedPatches"))))
        .set_rejected_patches_action(s(v, "RejectedPatchesAction").map(|a| PatchAction::from(a.as_str())))
        .set_description(s(v, "Description"))
        .set_sources(Some(sources(v.get("Sources"))?))
        .set_tags(Some(sdk_tags(v.get("Tags"))))
        .send()
        .await
        .map_err(|e| aws("ssm", "CreatePatchBaseline", e))?;
    let id = out.baseline_id().unwrap_or_default().to_string();
    for g in strings(v.get("PatchGroups")) {
        register_group(c, &id, &g).await?;
    }
    Ok(id)
}

async fn register_group(c: &Clients, id: &str, group: &str) -> Result<(), Error> {
    c.ssm
        .register_patch_baseline_for_patch_group()
        .baseline_id(id)
        .patch_group(group)
        .send()
        .await
        .map_err(|e| aws("ssm", "RegisterPatchBaselineForPatchGroup", e))?;
    Ok(())
}

pub(crate) async fn update_baseline(c: &Clients, o: &Observed, d: &Desired) -> Result<(), Error> {
    let (v, id) = (&d.spec, o.id.as_str());
    let rules_changed = [
        "ApprovalRules",
        "ApprovedPatches",
        "ApprovedPatchesComplianceLevel",
        "ApprovedPatchesEnableNonSecurity",
        "Description",
        "GlobalFilters",
        "Name",
        "RejectedPatches",
        "RejectedPatchesAction",
        "Sources",
    ]
    .iter()
    .any(|k| o.spec.get(*k) != v.get(*k));
    if rules_changed {
        c.ssm
            .update_patch_baseline()
            .baseline_id(id)
            .set_name(s(v, "Name"))
            .global_filters(filter_group(v.get("GlobalFilters"))?)
            .approval_rules(rule_group(v.get("ApprovalRules"))?)
            .set_approved_patches(Some(strings(v.get("ApprovedPatches"))))
            .set_approved_patches_compliance_level(
                s(v, "ApprovedPatchesComplianceLevel").map(|l| PatchComplianceLevel::from(l.as_str())),
            )
            .set_approved_patches_enable_non_security(
                v.get("ApprovedPatchesEnableNonSecurity").and_then(Value::as_bool),
            )
            .set_rejected_patches(Some(strings(v.get("RejectedPatches"))))
            .set_rejected_patches_action(s(v, "RejectedPatchesAction").map(|a| PatchAction::from(a.as_str())))
            .set_description(s(v, "Description"))
            .set_sources(Some(sources(v.get("Sources"))?))
            .replace(true)
            .send()
            .await
            .map_err(|e| aws("ssm", "UpdatePatchBaseline", e))?;
    }
    let have = strings(o.spec.get("PatchGroups"));
    let want = strings(v.get("PatchGroups"));
    for g in have.iter().filter(|g| !want.contains(g)) {
        deregister_group(c, id, g).await?;
    }
    for g in want.iter().filter(|g| !have.contains(g)) {
        register_group(c, id, g).await?;
    }
    sync_tags(
        c,
        ResourceTypeForTagging::PatchBaseline,
        id,
        o.spec.get("Tags").unwrap_or(&Value::Null),
        v.get("Tags").unwrap_or(&Value::Null),
    )
    .await
}

async fn deregister_group(c: &Clients, id: &str, group: &str) -> Result<(), Error> {
    c.ssm
        .deregister_patch_baseline_for_patch_group()
        .baseline_id(id)
        .patch_group(group)
        .send()
        .await
        .map_err(|e| aws("ssm", "DeregisterPatchBaselineForPatchGroup", e))?;
    Ok(())
}

pub(crate) async fn delete_baseline(c: &Clients, o: &Observed) -> Result<(), Error> {
    for g in strings(o.spec.get("PatchGroups")) {
        deregister_group(c, &o.id, &g).await?;
    }
    c.ssm.delete_patch_baseline().baseline_id(&o.id).send().await.map_err(|e| aws("ssm", "DeletePatchBaseline", e))?;
    Ok(())
}

// --- the kinds every backend shares ------------------------------------------------------------

/// Create an override object or a baseline; `None` for kinds the backend owns.
pub(crate) async fn create_shared(
    c: &Clients,
    s3: &super::maintenance_window::S3Settings,
    d: &Desired,
) -> Option<Result<String, Error>> {
    match d.key.kind {
        Kind::OverrideObject => {
            Some(put_object(c, d, s3.kms_key_id.as_deref(), s3.expected_bucket_owner.as_deref()).await)
        }
        Kind::PatchBaseline => Some(create_baseline(c, d).await),
        _ => None,
    }
}

/// Update an override object (never needed: content-addressed) or a baseline.
pub(crate) async fn update_shared(c: &Clients, o: &Observed, d: &Desired) -> Option<Result<(), Error>> {
    match d.key.kind {
        Kind::OverrideObject => Some(Ok(())),
        Kind::PatchBaseline => Some(update_baseline(c, o, d).await),
        _ => None,
    }
}

/// Delete an override object or a baseline.
pub(crate) async fn delete_shared(
    c: &Clients,
    s3: &super::maintenance_window::S3Settings,
    o: &Observed,
) -> Option<Result<(), Error>> {
    match o.key.kind {
        Kind::OverrideObject => Some(delete_object(c, o, s3.expected_bucket_owner.as_deref()).await),
        Kind::PatchBaseline => Some(delete_baseline(c, o).await),
        _ => None,
    }
}
