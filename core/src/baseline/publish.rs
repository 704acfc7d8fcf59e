//! Publishing override documents to S3: never overwriting, never deleting what is in use.
//!
//! Objects are content-addressed (`…/<sha256>.json`), so an existing key already holds the right
//! bytes and is never overwritten. An object is deletable only when it lives under the plan's
//! own prefix, has the shape ssmpatch writes (`<plan prefix>/<operation>/<64 hex>.json`), and no
//! live task or association references it. Uploads happen before any resource references them;
//! deletions after the resources that referenced them are updated.
//!
//! Two layers: [`publish_actions`] computes what to do as data (for a planner that shows it
//! first); [`publish`] and [`collect_garbage`] do it through the small [`ObjectStore`] trait, which
//! the AWS backend implements over `aws-sdk-s3` (HeadObject, PutObject with `If-None-Match: *`,
//! ListObjectsV2, DeleteObject) and tests implement with [`MemoryStore`].

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Mutex, MutexGuard};

use serde::Serialize;
use sha2::{Digest, Sha256};

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
#[non_exhaustive]
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
/// still points at (including ones outside this plan's desired set). Deletions are limited to
/// [`garbage`]'s.
pub fn publish_actions(
    desired: &[OverrideObject],
    existing: &BTreeSet<String>,
    referenced: &BTreeSet<String>,
    plan_prefix: &str,
    settings: &PutSettings,
) -> Vec<ObjectAction> {
    let mut actions = Vec::new();
    let mut keep: BTreeSet<String> = referenced.clone();
    let mut seen = BTreeSet::new();
    for o in desired {
        if !seen.insert(o.key.as_str()) {
            continue; // the same object twice
        }
        keep.insert(o.key.clone());
        if existing.contains(&o.key) {
            actions.push(ObjectAction::Keep { key: o.key.clone() });
        } else {
            actions.push(ObjectAction::Put { object: o.clone(), settings: settings.clone() });
        }
    }
    for key in garbage(plan_prefix, existing.iter().map(String::as_str), &keep) {
        actions.push(ObjectAction::Delete { key });
    }
    actions
}

/// The keys among `existing` that may be deleted: under `<plan_prefix>/`, shaped
/// `<operation>/<64 lowercase hex>.json` (only what ssmpatch writes), and not in `keep` — which
/// must hold every key a live task, association or window references, and every key just
/// published. Sorted. An empty `plan_prefix` yields nothing (it would reach other plans' objects).
pub fn garbage<'a>(
    plan_prefix: &str,
    existing: impl IntoIterator<Item = &'a str>,
    keep: &BTreeSet<String>,
) -> Vec<String> {
    let prefix = plan_prefix.trim_matches('/');
    if prefix.is_empty() {
        return Vec::new();
    }
    let prefix = format!("{prefix}/");
    let mut out: Vec<String> = existing
        .into_iter()
        .filter(|key| key.strip_prefix(&prefix).is_some_and(is_document_path) && !keep.contains(*key))
        .map(str::to_string)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// `<operation>/<64 lowercase hex>.json`.
fn is_document_path(rest: &str) -> bool {
    let Some((op, file)) = rest.split_once('/') else { return false };
    !op.is_empty() && file.strip_suffix(".json").is_some_and(is_sha256_hex)
}

fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

// --- doing it ---------------------------------------------------------------------------------

/// What `HeadObject` says about an object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectMeta {
    /// `Content-Length`.
    pub size: u64,
    /// The `sha256` user metadata ssmpatch writes (`x-amz-meta-sha256`), if any.
    pub sha256: Option<String>,
}

/// A `PutObject` request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PutRequest<'a> {
    /// Bucket.
    pub bucket: &'a str,
    /// Key.
    pub key: &'a str,
    /// Body.
    pub body: &'a [u8],
    /// `Content-Type`: `application/json`.
    pub content_type: &'static str,
    /// User metadata: `sha256` → the body's lowercase hex SHA-256.
    pub metadata: BTreeMap<String, String>,
    /// Encryption, expected owner, `If-None-Match: *`.
    pub settings: &'a PutSettings,
}

/// How a conditional put ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PutOutcome {
    /// The object was written.
    Created,
    /// An object with that key already existed (S3 `PreconditionFailed` for `If-None-Match: *`);
    /// nothing was written.
    AlreadyExists,
}

/// An S3 call failed. The AWS error code is kept as data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("s3 {operation} failed for `{key}`: {message}{}", code.as_ref().map(|c| format!(" ({c})")).unwrap_or_default())]
pub struct StoreError {
    /// `HeadObject`, `PutObject`, `ListObjectsV2`, `DeleteObject`.
    pub operation: &'static str,
    /// The key (or prefix) involved.
    pub key: String,
    /// The AWS error code, e.g. `AccessDenied`.
    pub code: Option<String>,
    /// The message.
    pub message: String,
    /// What to do.
    pub hint: String,
}

/// The few S3 operations publishing needs. Every call carries the expected bucket owner.
/// Asynchronous, with no AWS dependency: the backends implement it over `aws-sdk-s3`, tests with
/// [`MemoryStore`].
#[async_trait::async_trait]
pub trait ObjectStore: Send + Sync {
    /// `HeadObject`; `Ok(None)` when there is no such key.
    async fn head(
        &self,
        bucket: &str,
        key: &str,
        expected_bucket_owner: Option<&str>,
    ) -> Result<Option<ObjectMeta>, StoreError>;

    /// `PutObject` with `If-None-Match: *`, the request's encryption and metadata. Never
    /// replaces an existing object.
    async fn put_if_absent(&self, request: &PutRequest<'_>) -> Result<PutOutcome, StoreError>;

    /// `ListObjectsV2` under `prefix`, every page.
    async fn list(
        &self,
        bucket: &str,
        prefix: &str,
        expected_bucket_owner: Option<&str>,
    ) -> Result<Vec<String>, StoreError>;

    /// `DeleteObject`.
    async fn delete(&self, bucket: &str, key: &str, expected_bucket_owner: Option<&str>) -> Result<(), StoreError>;
}

/// Publishing stopped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PublishError {
    /// An S3 call failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The key exists with other content; ssmpatch never overwrites.
    #[error("s3 object `{key}` already exists with other content ({found}, expected sha256 {expected})")]
    Conflict {
        /// Key.
        key: String,
        /// The hash of the bytes to publish.
        expected: String,
        /// What was found (a different hash, or a different size).
        found: String,
    },
    /// The object's key does not name its content's hash.
    #[error("s3 key `{key}` does not end in the sha256 of its content ({sha256}.json)")]
    NotContentAddressed {
        /// Key.
        key: String,
        /// The content's hash.
        sha256: String,
    },
}

/// How an existing object differs from `bytes`, or `None` when it holds them: checked by the
/// `sha256` metadata ssmpatch writes, or by size when an older writer left no metadata.
pub fn conflict(meta: &ObjectMeta, bytes: &[u8]) -> Option<String> {
    match &meta.sha256 {
        Some(h) if *h != sha256_hex(bytes) => Some(format!("sha256 {h}")),
        None if meta.size != bytes.len() as u64 => Some(format!("{} bytes, not {}", meta.size, bytes.len())),
        _ => None,
    }
}

/// `<plan_prefix>/<operation>/<64 lowercase hex>.json`: the shape of the keys ssmpatch writes,
/// the only ones it ever deletes.
pub fn is_document_key(plan_prefix: &str, key: &str) -> bool {
    let prefix = plan_prefix.trim_matches('/');
    !prefix.is_empty() && key.strip_prefix(prefix).and_then(|r| r.strip_prefix('/')).is_some_and(is_document_path)
}

/// What [`publish`] did.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct PublishReport {
    /// Keys written now.
    pub uploaded: Vec<String>,
    /// Keys already present with the same content (nothing written).
    pub kept: Vec<String>,
}

/// Makes every object present: uploads each with `settings` (encryption, expected bucket owner,
/// `If-None-Match: *`, so an existing key is never overwritten) and a `sha256` metadata entry;
/// a key that already exists is kept when it holds the same content (checked by the `sha256`
/// metadata, or the size when an older writer left no metadata) and fails — without writing —
/// when it holds other content. Keys must
/// end in `<sha256 of the bytes>.json`.
pub async fn publish(
    store: &dyn ObjectStore,
    objects: &[OverrideObject],
    settings: &PutSettings,
) -> Result<PublishReport, PublishError> {
    let mut report = PublishReport::default();
    let mut done = BTreeSet::new();
    let owner = settings.expected_bucket_owner.as_deref();
    for o in objects {
        if !done.insert((o.bucket.as_str(), o.key.as_str())) {
            continue;
        }
        let sha256 = sha256_hex(&o.bytes);
        if !o.key.ends_with(&format!("/{sha256}.json")) && o.key != format!("{sha256}.json") {
            return Err(PublishError::NotContentAddressed { key: o.key.clone(), sha256 });
        }
        let check = |meta: ObjectMeta| -> Result<(), PublishError> {
            match conflict(&meta, &o.bytes) {
                None => Ok(()),
                Some(found) => Err(PublishError::Conflict { key: o.key.clone(), expected: sha256.clone(), found }),
            }
        };
        // Straight to the conditional PUT, no HEAD first: a HEAD of a missing key is refused (403)
        // to a caller without an unconditioned s3:ListBucket ("If you don't have the
        // s3:ListBucket permission, Amazon S3 returns an HTTP status code 403", GetObject/HeadObject
        // API reference), and the printed policy lists only the plan's own folder.
        let request = PutRequest {
            bucket: &o.bucket,
            key: &o.key,
            body: &o.bytes,
            content_type: "application/json",
            metadata: BTreeMap::from([("sha256".to_string(), sha256.clone())]),
            settings,
        };
        match store.put_if_absent(&request).await? {
            PutOutcome::Created => report.uploaded.push(o.key.clone()),
            PutOutcome::AlreadyExists => {
                // It exists (written before, or by someone else): check it like any existing object.
                if let Some(meta) = store.head(&o.bucket, &o.key, owner).await? {
                    check(meta)?;
                }
                report.kept.push(o.key.clone());
            }
        }
    }
    Ok(report)
}

/// Deletes the plan's override objects that nothing references any more ([`garbage`] under
/// `plan_prefix`, listed from the store) and returns their keys. `keep` must hold every key a
/// live resource references and every key just published.
pub async fn collect_garbage(
    store: &dyn ObjectStore,
    bucket: &str,
    plan_prefix: &str,
    keep: &BTreeSet<String>,
    expected_bucket_owner: Option<&str>,
) -> Result<Vec<String>, StoreError> {
    let prefix = plan_prefix.trim_matches('/');
    if prefix.is_empty() {
        return Ok(Vec::new());
    }
    let listed = store.list(bucket, &format!("{prefix}/"), expected_bucket_owner).await?;
    let doomed = garbage(prefix, listed.iter().map(String::as_str), keep);
    for key in &doomed {
        store.delete(bucket, key, expected_bucket_owner).await?;
    }
    Ok(doomed)
}

// --- an in-memory store -------------------------------------------------------------------------

/// An object held by [`MemoryStore`], with the settings it was written with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredObject {
    /// Body.
    pub bytes: Vec<u8>,
    /// User metadata.
    pub metadata: BTreeMap<String, String>,
    /// `Content-Type`.
    pub content_type: String,
    /// `ServerSideEncryption`.
    pub server_side_encryption: String,
    /// `SSEKMSKeyId`.
    pub kms_key_id: Option<String>,
}

/// An [`ObjectStore`] in memory, for tests: conditional puts, an optional bucket owner that
/// refuses a different `ExpectedBucketOwner` with `AccessDenied`, and a log of calls.
#[derive(Debug, Default)]
pub struct MemoryStore {
    owner: Option<String>,
    objects: Mutex<BTreeMap<(String, String), StoredObject>>,
    calls: Mutex<Vec<String>>,
}

impl MemoryStore {
    /// An empty store whose buckets belong to no particular account.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    /// An empty store whose buckets belong to `account`.
    pub fn owned_by(account: &str) -> MemoryStore {
        MemoryStore { owner: Some(account.to_string()), ..MemoryStore::default() }
    }

    /// Puts an object directly (no metadata, SSE-S3), as another writer would.
    pub fn insert(&self, bucket: &str, key: &str, bytes: &[u8]) {
        lock(&self.objects).insert(
            (bucket.to_string(), key.to_string()),
            StoredObject {
                bytes: bytes.to_vec(),
                metadata: BTreeMap::new(),
                content_type: "application/octet-stream".into(),
                server_side_encryption: "AES256".into(),
                kms_key_id: None,
            },
        );
    }

    /// The object at `bucket`/`key`.
    pub fn object(&self, bucket: &str, key: &str) -> Option<StoredObject> {
        lock(&self.objects).get(&(bucket.to_string(), key.to_string())).cloned()
    }

    /// Every key in `bucket`, sorted.
    pub fn keys(&self, bucket: &str) -> Vec<String> {
        lock(&self.objects).keys().filter(|(b, _)| b == bucket).map(|(_, k)| k.clone()).collect()
    }

    /// The calls made so far, e.g. `PutObject b/k`.
    pub fn calls(&self) -> Vec<String> {
        lock(&self.calls).clone()
    }

    fn record(&self, operation: &'static str, bucket: &str, key: &str, owner: Option<&str>) -> Result<(), StoreError> {
        lock(&self.calls).push(format!("{operation} {bucket}/{key}"));
        match (&self.owner, owner) {
            (Some(real), Some(expected)) if real != expected => Err(StoreError {
                operation,
                key: key.to_string(),
                code: Some("AccessDenied".into()),
                message: format!("the bucket is not owned by account {expected}"),
                hint: "check `expected-bucket-owner` and the bucket name".into(),
            }),
            _ => Ok(()),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[async_trait::async_trait]
impl ObjectStore for MemoryStore {
    async fn head(
        &self,
        bucket: &str,
        key: &str,
        expected_bucket_owner: Option<&str>,
    ) -> Result<Option<ObjectMeta>, StoreError> {
        self.record("HeadObject", bucket, key, expected_bucket_owner)?;
        Ok(self
            .object(bucket, key)
            .map(|o| ObjectMeta { size: o.bytes.len() as u64, sha256: o.metadata.get("sha256").cloned() }))
    }

    async fn put_if_absent(&self, r: &PutRequest<'_>) -> Result<PutOutcome, StoreError> {
        self.record("PutObject", r.bucket, r.key, r.settings.expected_bucket_owner.as_deref())?;
        let mut objects = lock(&self.objects);
        let id = (r.bucket.to_string(), r.key.to_string());
        if r.settings.if_none_match && objects.contains_key(&id) {
            return Ok(PutOutcome::AlreadyExists);
        }
        objects.insert(
            id,
            StoredObject {
                bytes: r.body.to_vec(),
                metadata: r.metadata.clone(),
                content_type: r.content_type.to_string(),
                server_side_encryption: r.settings.server_side_encryption.to_string(),
                kms_key_id: r.settings.kms_key_id.clone(),
            },
        );
        Ok(PutOutcome::Created)
    }

    async fn list(
        &self,
        bucket: &str,
        prefix: &str,
        expected_bucket_owner: Option<&str>,
    ) -> Result<Vec<String>, StoreError> {
        self.record("ListObjectsV2", bucket, prefix, expected_bucket_owner)?;
        Ok(self.keys(bucket).into_iter().filter(|k| k.starts_with(prefix)).collect())
    }

    async fn delete(&self, bucket: &str, key: &str, expected_bucket_owner: Option<&str>) -> Result<(), StoreError> {
        self.record("DeleteObject", bucket, key, expected_bucket_owner)?;
        lock(&self.objects).remove(&(bucket.to_string(), key.to_string()));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    const C: &str = "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc";

    fn obj(key: &str) -> OverrideObject {
        OverrideObject { bucket: "b".into(), key: key.into(), bytes: b"[]".to_vec() }
    }

    #[test]
    fn puts_missing_keeps_present_deletes_only_unreferenced_own_objects() {
        let new = format!("o/p/scan/{A}.json");
        let same = format!("o/p/install/{B}.json");
        let old = format!("o/p/scan/{C}.json");
        let live = format!("o/p/scan/{}.json", "d".repeat(64));
        let desired = [obj(&new), obj(&same)];
        let existing: BTreeSet<String> =
            [same.clone(), old.clone(), live.clone(), format!("o/other/x/{A}.json"), "o/p/scan/notes.json".into()]
                .into_iter()
                .collect();
        let referenced: BTreeSet<String> = [live.clone()].into();
        let s = PutSettings::new(None, Some("123456789012".into()));
        let a = publish_actions(&desired, &existing, &referenced, "o/p", &s);
        assert_eq!(
            a,
            vec![
                ObjectAction::Put { object: obj(&new), settings: s.clone() },
                ObjectAction::Keep { key: same.clone() },
                ObjectAction::Delete { key: old },
            ]
        );
        assert_eq!(obj("k/x.json").url(), "s3://b/k/x.json");
    }

    #[test]
    fn garbage_needs_a_prefix_and_the_document_shape() {
        let keep = BTreeSet::new();
        let k = format!("p/op/{A}.json");
        assert_eq!(garbage("", [k.as_str()], &keep), Vec::<String>::new());
        assert_eq!(garbage("p", [k.as_str()], &keep), vec![k.clone()]);
        assert_eq!(garbage("p/", [k.as_str()], &keep), vec![k.clone()]);
        for bad in [format!("p/{A}.json"), format!("p/op/x/{A}.json"), format!("p/op/{}.json", A.to_uppercase())] {
            assert!(garbage("p", [bad.as_str()], &keep).is_empty(), "{bad}");
        }
        // `p` must not match `pp/...`.
        let other = format!("pp/op/{A}.json");
        assert!(garbage("p", [other.as_str()], &keep).is_empty());
    }
}
