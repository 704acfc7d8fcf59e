//! Publishing override documents to S3, as data: which objects to put and which may go.
//!
//! Objects are content-addressed (`…/<sha256>.json`), so an existing key already holds the right
//! bytes and is never overwritten. An object is deletable only when it lives under the plan's
//! own prefix and no live task or association references it. The backends perform the actions
//! (uploads first, deletions after the resources that referenced them are updated).

use std::collections::BTreeSet;

use serde::Serialize;

/// How objects are written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PutSettings {
    /// `AES256` (SSE-S3) or `aws:kms`.
    pub server_side_encryption: &'static str,
    /// KMS key for `aws:kms`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    /// Sent as `ExpectedBucketOwner` so a bucket taken over by another account is refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_bucket_owner: Option<String>,
    /// Sent as `If-None-Match: *`: never overwrite.
    pub if_none_match: bool,
}

impl PutSettings {
    /// SSE-S3, or SSE-KMS when a key is given.
    pub fn new(kms_key_id: Option<String>, expected_bucket_owner: Option<String>) -> PutSettings {
        PutSettings {
            server_side_encryption: if kms_key_id.is_some() { "aws:kms" } else { "AES256" },
            kms_key_id,
            expected_bucket_owner,
            if_none_match: true,
        }
    }
}

/// A document to be present in S3.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OverrideObject {
    /// Bucket.
    pub bucket: String,
    /// Key.
    pub key: String,
    /// Bytes.
    #[serde(skip)]
    pub bytes: Vec<u8>,
}

impl OverrideObject {
    /// The `s3://` URL AWS-RunPatchBaseline reads (private buckets need this form).
    pub fn url(&self) -> String {
        format!("s3://{}/{}", self.bucket, self.key)
    }
}

/// One thing to do in S3.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum ObjectAction {
    /// Upload (before any resource references it).
    Put {
        /// The object.
        object: OverrideObject,
        /// How.
        settings: PutSettings,
    },
    /// Already present with these bytes (same key = same hash).
    Keep {
        /// Key.
        key: String,
    },
    /// No longer referenced: delete after the resources are updated.
    Delete {
        /// Key.
        key: String,
    },
}

/// What to do so that `desired` objects exist and unreferenced ones under `plan_prefix` go.
/// `existing` lists keys found under `plan_prefix`; `referenced` lists keys any live resource
/// still points at (including ones outside this plan's desired set).
pub fn publish_actions(
    desired: &[OverrideObject],
    existing: &BTreeSet<String>,
    referenced: &BTreeSet<String>,
    plan_prefix: &str,
    settings: &PutSettings,
) -> Vec<ObjectAction> {
    let mut actions = Vec::new();
    let wanted: BTreeSet<&str> = desired.iter().map(|o| o.key.as_str()).collect();
    let mut seen = BTreeSet::new();
    for o in desired {
        if !seen.insert(o.key.clone()) {
            continue;
        }
        if existing.contains(&o.key) {
            actions.push(ObjectAction::Keep { key: o.key.clone() });
        } else {
            actions.push(ObjectAction::Put { object: o.clone(), settings: settings.clone() });
        }
    }
    let prefix = format!("{}/", plan_prefix.trim_end_matches('/'));
    for key in existing {
        if key.starts_with(&prefix)
            && key.ends_with(".json")
            && !wanted.contains(key.as_str())
            && !referenced.contains(key)
        {
            actions.push(ObjectAction::Delete { key: key.clone() });
        }
    }
    actions
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(key: &str) -> OverrideObject {
        OverrideObject { bucket: "b".into(), key: key.into(), bytes: b"[]".to_vec() }
    }

    #[test]
    fn puts_missing_keeps_present_deletes_only_unreferenced_own_objects() {
        let desired = [obj("o/p/scan/new.json"), obj("o/p/install/same.json")];
        let existing: BTreeSet<String> =
            ["o/p/install/same.json", "o/p/scan/old.json", "o/p/scan/live.json", "o/other/x/y.json"]
                .into_iter()
                .map(String::from)
                .collect();
        let referenced: BTreeSet<String> = ["o/p/scan/live.json".to_string()].into();
        let s = PutSettings::new(None, Some("123456789012".into()));
        let a = publish_actions(&desired, &existing, &referenced, "o/p", &s);
        assert_eq!(
            a,
            vec![
                ObjectAction::Put { object: obj("o/p/scan/new.json"), settings: s.clone() },
                ObjectAction::Keep { key: "o/p/install/same.json".into() },
                ObjectAction::Delete { key: "o/p/scan/old.json".into() },
            ]
        );
        assert_eq!(obj("k/x.json").url(), "s3://b/k/x.json");
    }
}
