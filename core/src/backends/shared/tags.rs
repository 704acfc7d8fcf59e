//! Tags on what ssmpatch creates: the plan's own, plus the ownership pair that tells ssmpatch's
//! resources from same-named ones it must never touch.

use std::collections::BTreeMap;

use aws_sdk_ssm::types::{ResourceTypeForTagging, Tag};
use serde_json::{Value, json};

use crate::aws::Clients;
use crate::backends::naming::{MANAGED_BY, TAG_MANAGED_BY, TAG_PLAN};
use crate::error::{Error, aws};
use crate::plan::Plan;

/// Tags on every top-level resource: the plan's, plus ownership.
pub(crate) fn of_plan(plan: &Plan) -> BTreeMap<String, String> {
    let mut t: BTreeMap<String, String> = plan.tags().clone();
    t.insert(TAG_PLAN.to_string(), plan.name.clone());
    t.insert(TAG_MANAGED_BY.to_string(), MANAGED_BY.to_string());
    t
}

/// SDK tags from a map.
pub(crate) fn sdk_tags(tags: &BTreeMap<String, String>) -> Vec<Tag> {
    tags.iter().filter_map(|(k, v)| Tag::builder().key(k).value(v).build().ok()).collect()
}

/// A resource spec's `Tags` object as a map (values that are not strings read as empty).
pub(crate) fn tags_map(v: &Value) -> BTreeMap<String, String> {
    v.as_object()
        .map(|m| m.iter().map(|(k, x)| (k.clone(), x.as_str().unwrap_or_default().to_string())).collect())
        .unwrap_or_default()
}

/// SDK tags from a resource spec's `Tags` object.
pub(crate) fn sdk_tags_of(v: Option<&Value>) -> Vec<Tag> {
    sdk_tags(&tags_map(v.unwrap_or(&Value::Null)))
}

/// SDK tags as a spec's `Tags` object.
pub(crate) fn tags_json(tags: &[Tag]) -> Value {
    let m: BTreeMap<&str, &str> = tags.iter().map(|t| (t.key(), t.value())).collect();
    json!(m)
}

/// Created by ssmpatch for `plan`.
pub(crate) fn is_owned(tags: &BTreeMap<String, String>, plan: &str) -> bool {
    tags.get(TAG_MANAGED_BY).map(String::as_str) == Some(MANAGED_BY)
        && tags.get(TAG_PLAN).map(String::as_str) == Some(plan)
}

/// [`is_owned`] of a spec's `Tags` object.
pub(crate) fn is_owned_json(tags: &Value, plan: &str) -> bool {
    is_owned(&tags_map(tags), plan)
}

/// A resource's tags as a spec's `Tags` object.
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
    let add = sdk_tags_of(Some(to));
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
