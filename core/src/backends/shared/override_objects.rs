//! `BaselineOverride` documents in S3 — the one place ssmpatch writes, reads back and deletes
//! them, through [`crate::baseline::publish`] over an [`ObjectStore`].
//!
//! - Content-addressed keys `<override-prefix>/<plan>/<operation>/<sha256>.json`, uploaded with
//!   `If-None-Match: *`, SSE-S3 or SSE-KMS, `ExpectedBucketOwner` and a `sha256` metadata entry;
//!   never overwritten.
//! - An object already under a desired key with other bytes (checked by its `sha256` metadata,
//!   or its size) is not ssmpatch's: `plan` reports it as foreign and `apply` refuses to go on
//!   rather than point a task at it.
//! - Only keys of the shape ssmpatch writes ([`crate::baseline::is_document_key`]) under the
//!   plan's own prefix are ever deleted, after the resources that referenced them.

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::ServerSideEncryption;
use serde_json::json;

use crate::backends::model::{Desired, Key, Kind, Observed, Payload};
use crate::baseline::{
    ObjectMeta, ObjectStore, OverrideObject, PublishError, PutOutcome, PutRequest, PutSettings, StoreError, conflict,
    is_document_key, plan_prefix, publish,
};
use crate::error::Error;
use crate::plan::{Explanation, Plan};

/// Where and how a plan's override objects are written (the plan's `[s3]`).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct S3Settings {
    /// The bucket.
    pub bucket: String,
    /// `override-prefix`.
    pub override_prefix: String,
    /// SSE-KMS key (else SSE-S3).
    pub kms_key_id: Option<String>,
    /// `ExpectedBucketOwner`.
    pub expected_bucket_owner: Option<String>,
}

impl S3Settings {
    /// The plan's settings; `None` when it writes no override objects.
    pub fn of(plan: &Plan) -> Option<S3Settings> {
        plan.s3.as_ref().map(|s| S3Settings {
            bucket: s.bucket.clone(),
            override_prefix: s.override_prefix.clone(),
            kms_key_id: s.kms_key_id.clone(),
            expected_bucket_owner: s.expected_bucket_owner.clone(),
        })
    }

    fn put_settings(&self) -> PutSettings {
        PutSettings::new(self.kms_key_id.clone(), self.expected_bucket_owner.clone())
    }

    fn owner(&self) -> Option<&str> {
        self.expected_bucket_owner.as_deref()
    }
}

/// The override documents `plan` uploads: one per operation that runs with an override.
pub(crate) fn desired(plan: &Plan, ex: &Explanation) -> Vec<Desired> {
    let Some(s3) = &plan.s3 else { return Vec::new() };
    ex.placement
        .documents
        .iter()
        .map(|(op, doc)| {
            let key = doc.key(&s3.override_prefix, &plan.name, op);
            Desired {
                key: Key::new(Kind::OverrideObject, key.clone()),
                spec: json!({"Bucket": s3.bucket, "Key": key}),
                payload: Payload::Object(OverrideObject { bucket: s3.bucket.clone(), key, bytes: doc.bytes.clone() }),
            }
        })
        .collect()
}

fn object(d: &Desired) -> Result<&OverrideObject, Error> {
    match &d.payload {
        Payload::Object(o) => Ok(o),
        _ => Err(Error::Internal(format!("{} carries no object", d.key.label()))),
    }
}

fn store_error(e: StoreError) -> Error {
    Error::Aws { service: "s3", operation: e.operation, code: e.code, message: e.message, request_id: None }
}

fn publish_error(e: PublishError) -> Error {
    match e {
        PublishError::Store(s) => store_error(s),
        PublishError::Conflict { key, expected, found } => Error::Foreign(format!(
            "s3 object `{key}` already exists with other content ({found}, expected sha256 {expected}); \
             ssmpatch never overwrites an override object, so nothing was changed"
        )),
        PublishError::NotContentAddressed { key, sha256 } => {
            Error::Internal(format!("s3 key `{key}` does not end in the sha256 of its content ({sha256}.json)"))
        }
    }
}

/// The plan's objects in S3: each desired key that exists (foreign when it holds other bytes),
/// and every other key of ssmpatch's shape under the plan's prefix (to be deleted). Other keys
/// under the prefix are not ssmpatch's and are left out.
pub(crate) async fn observe(
    store: &dyn ObjectStore,
    s3: Option<&S3Settings>,
    plan: &str,
    desired: &[Desired],
) -> Result<Vec<Observed>, Error> {
    let Some(s3) = s3 else { return Ok(Vec::new()) };
    let prefix =
        plan_prefix(&s3.override_prefix, plan).map_err(|e| Error::input(e.headline(), Some(e.hint.clone())))?;
    // With the trailing `/`: only this plan's folder (not `<plan>-2/`), and the prefix the
    // printed policy's s3:ListBucket condition allows (`<override-prefix>/<plan>/*`).
    let listed = store.list(&s3.bucket, &format!("{prefix}/"), s3.owner()).await.map_err(store_error)?;
    let mut out = Vec::new();
    for key in listed {
        let wanted = desired.iter().filter(|d| d.key.kind == Kind::OverrideObject).find(|d| d.key.name == key);
        let owned = match wanted {
            Some(d) => {
                let bytes = &object(d)?.bytes;
                let meta: Option<ObjectMeta> = store.head(&s3.bucket, &key, s3.owner()).await.map_err(store_error)?;
                meta.is_some_and(|m| conflict(&m, bytes).is_none())
            }
            None if is_document_key(&prefix, &key) => true,
            None => continue,
        };
        out.push(Observed {
            key: Key::new(Kind::OverrideObject, key.clone()),
            id: key.clone(),
            parent_id: None,
            spec: json!({"Bucket": s3.bucket, "Key": key}),
            owned,
        });
    }
    Ok(out)
}

/// Upload one document (see [`crate::baseline::publish`]); refuses, writing nothing, when its
/// key holds other bytes.
pub(crate) async fn create(store: &dyn ObjectStore, s3: Option<&S3Settings>, d: &Desired) -> Result<String, Error> {
    let o = object(d)?;
    let settings = s3.map(S3Settings::put_settings).unwrap_or_else(|| PutSettings::new(None, None));
    publish(store, std::slice::from_ref(o), &settings).await.map_err(publish_error)?;
    Ok(o.key.clone())
}

/// Delete one of the plan's documents (only keys of ssmpatch's shape under its prefix).
pub(crate) async fn delete(
    store: &dyn ObjectStore,
    s3: Option<&S3Settings>,
    plan: &str,
    o: &Observed,
) -> Result<(), Error> {
    let Some(s3) = s3 else { return Ok(()) };
    let prefix =
        plan_prefix(&s3.override_prefix, plan).map_err(|e| Error::input(e.headline(), Some(e.hint.clone())))?;
    if !is_document_key(&prefix, &o.id) {
        return Err(Error::Internal(format!("refusing to delete `{}`: not an override object of plan `{plan}`", o.id)));
    }
    store.delete(&s3.bucket, &o.id, s3.owner()).await.map_err(store_error)
}

/// [`ObjectStore`] over `aws-sdk-s3`.
#[derive(Debug, Clone)]
pub struct S3Store {
    client: aws_sdk_s3::Client,
}

impl S3Store {
    /// Over this client.
    pub fn new(client: aws_sdk_s3::Client) -> S3Store {
        S3Store { client }
    }
}

fn s3_error<E, R>(
    operation: &'static str,
    key: &str,
    e: aws_smithy_runtime_api::client::result::SdkError<E, R>,
) -> StoreError
where
    E: aws_sdk_s3::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
    aws_smithy_runtime_api::client::result::SdkError<E, R>: aws_types::request_id::RequestId,
{
    match crate::error::aws("s3", operation, e) {
        Error::Aws { code, message, request_id, .. } => StoreError {
            operation,
            key: key.to_string(),
            code,
            message: match request_id {
                Some(r) => format!("{message} (request id {r})"),
                None => message,
            },
            hint: "check the bucket, its owner and your permissions (`ssmpatch iam-policy PLAN`)".into(),
        },
        other => {
            StoreError { operation, key: key.to_string(), code: None, message: other.to_string(), hint: String::new() }
        }
    }
}

fn code_of<E: aws_sdk_s3::error::ProvideErrorMetadata, R>(
    e: &aws_smithy_runtime_api::client::result::SdkError<E, R>,
) -> Option<&str> {
    match e {
        aws_smithy_runtime_api::client::result::SdkError::ServiceError(se) => se.err().code(),
        _ => None,
    }
}

#[async_trait::async_trait]
impl ObjectStore for S3Store {
    async fn head(&self, bucket: &str, key: &str, owner: Option<&str>) -> Result<Option<ObjectMeta>, StoreError> {
        let sent = self
            .client
            .head_object()
            .bucket(bucket)
            .key(key)
            .set_expected_bucket_owner(owner.map(str::to_string))
            .send()
            .await;
        match sent {
            Ok(o) => Ok(Some(ObjectMeta {
                size: o.content_length().and_then(|n| u64::try_from(n).ok()).unwrap_or_default(),
                sha256: o.metadata().and_then(|m| m.get("sha256")).cloned(),
            })),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => Ok(None),
            Err(e) if e.raw_response().is_some_and(|r| r.status().as_u16() == 404) => Ok(None),
            // A HEAD response has no body, so S3's refusal arrives as a bare 403 without a code.
            Err(e) if e.raw_response().is_some_and(|r| r.status().as_u16() == 403) => Err(StoreError {
                operation: "HeadObject",
                key: key.to_string(),
                code: Some("AccessDenied".into()),
                message: format!(
                    "403 Forbidden: not allowed to read s3://{bucket}/{key} (HeadObject is authorized as s3:GetObject), \
                     or the bucket belongs to another account"
                ),
                hint: "check the bucket, its owner and your permissions (`ssmpatch iam-policy PLAN`)".into(),
            }),
            Err(e) => Err(s3_error("HeadObject", key, e)),
        }
    }

    async fn put_if_absent(&self, r: &PutRequest<'_>) -> Result<PutOutcome, StoreError> {
        let mut req = self
            .client
            .put_object()
            .bucket(r.bucket)
            .key(r.key)
            .content_type(r.content_type)
            .body(ByteStream::from(r.body.to_vec()))
            .set_metadata(Some(r.metadata.clone().into_iter().collect()))
            .set_expected_bucket_owner(r.settings.expected_bucket_owner.clone());
        if r.settings.if_none_match {
            req = req.if_none_match("*");
        }
        req = match &r.settings.kms_key_id {
            Some(k) => req.server_side_encryption(ServerSideEncryption::AwsKms).ssekms_key_id(k),
            None => req.server_side_encryption(ServerSideEncryption::Aes256),
        };
        match req.send().await {
            Ok(_) => Ok(PutOutcome::Created),
            // `If-None-Match: *` on an existing key; 409 when another conditional write races.
            Err(e) if matches!(code_of(&e), Some("PreconditionFailed" | "ConditionalRequestConflict")) => {
                Ok(PutOutcome::AlreadyExists)
            }
            Err(e) => Err(s3_error("PutObject", r.key, e)),
        }
    }

    async fn list(&self, bucket: &str, prefix: &str, owner: Option<&str>) -> Result<Vec<String>, StoreError> {
        // Every page (the SDK's paginator follows ContinuationToken).
        let pages = self
            .client
            .list_objects_v2()
            .bucket(bucket)
            .prefix(prefix)
            .set_expected_bucket_owner(owner.map(str::to_string))
            .into_paginator()
            .send()
            .try_collect()
            .await
            .map_err(|e| s3_error("ListObjectsV2", prefix, e))?;
        Ok(pages.iter().flat_map(|p| p.contents()).filter_map(|o| o.key().map(str::to_string)).collect())
    }

    async fn delete(&self, bucket: &str, key: &str, owner: Option<&str>) -> Result<(), StoreError> {
        self.client
            .delete_object()
            .bucket(bucket)
            .key(key)
            .set_expected_bucket_owner(owner.map(str::to_string))
            .send()
            .await
            .map_err(|e| s3_error("DeleteObject", key, e))?;
        Ok(())
    }
}
