//! `BaselineOverride` documents: bytes, content address, S3 key and `s3://` URL.

use std::collections::BTreeMap;

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::error::BaselineError;
use super::json::to_aws_json;
use super::limits::FORBIDDEN_FILE_NAME_CHARS;
use super::rules::PatchBaselineRules;
use super::spec::{ApprovalOverride, BaselineSpec, OperatingSystem};

/// S3's limit on an object key: 1,024 bytes of UTF-8 (Amazon S3 User Guide, "Naming Amazon S3
/// objects").
pub const S3_KEY_MAX_BYTES: usize = 1024;

/// A rendered BaselineOverride document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverrideDocument {
    /// The exact bytes uploaded.
    pub bytes: Vec<u8>,
    /// Lowercase hex SHA-256 of the bytes.
    pub sha256: String,
}

impl OverrideDocument {
    /// The document for these rules: a JSON array with one element per operating system, sorted
    /// by the `OperatingSystem` string, written as AWS's generator writes it (see
    /// [`crate::baseline::to_aws_json`]). Errors on an empty list (every node would fail with
    /// "Unable to find Baseline Override for Operating System") and on two elements for one OS
    /// (the payload fails with "Multiple Baseline Overrides provided for given OS").
    pub fn from_rules(rules: impl IntoIterator<Item = PatchBaselineRules>) -> Result<OverrideDocument, BaselineError> {
        let mut by_os: BTreeMap<&'static str, PatchBaselineRules> = BTreeMap::new();
        for r in rules {
            let os = r.operating_system.as_str();
            if by_os.insert(os, r).is_some() {
                return Err(BaselineError::new(
                    "",
                    format!("two baselines for {os} in one override document"),
                    "AWS-RunPatchBaseline fails on more than one element per operating system; keep one",
                ));
            }
        }
        if by_os.is_empty() {
            return Err(BaselineError::new(
                "baselines",
                "there are no inline rules to put in an override document",
                "declare `[baselines.<OS>]` with `approval-rules`; existing and default baselines cannot be rendered offline",
            ));
        }
        Ok(OverrideDocument::from_elements(by_os.values().map(PatchBaselineRules::to_override_value).collect()))
    }

    /// Elements already in order; the one place bytes and hash are made.
    fn from_elements(items: Vec<Value>) -> OverrideDocument {
        let bytes = to_aws_json(&Value::Array(items));
        let sha256 = hex::encode(Sha256::digest(&bytes));
        OverrideDocument { bytes, sha256 }
    }

    /// The document as text (it is ASCII).
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes).unwrap_or_default()
    }

    /// Parses the document back into its rules (the round trip of [`OverrideDocument::from_rules`]).
    pub fn rules(&self) -> Result<Vec<PatchBaselineRules>, serde_json::Error> {
        serde_json::from_slice(&self.bytes)
    }

    /// The S3 key: `<prefix>/<plan>/<operation>/<sha256>.json`, unchecked. For names the plan
    /// loader has validated; [`OverrideDocument::object_key`] checks them.
    pub fn key(&self, prefix: &str, plan: &str, operation: &str) -> String {
        let prefix = prefix.trim_matches('/');
        if prefix.is_empty() {
            format!("{plan}/{operation}/{}.json", self.sha256)
        } else {
            format!("{prefix}/{plan}/{operation}/{}.json", self.sha256)
        }
    }

    /// The S3 key `<prefix>/<plan>/<operation>/<sha256>.json`, checked: no character the
    /// BaselineOverride documentation forbids in file names ([`FORBIDDEN_FILE_NAME_CHARS`]) in
    /// any part, plan and operation are single non-empty path segments, and the key fits S3.
    pub fn object_key(&self, prefix: &str, plan: &str, operation: &str) -> Result<String, BaselineError> {
        let dir = plan_prefix(prefix, plan)?;
        segment(&format!("operations.{operation}"), operation, "operation name")?;
        let key = format!("{dir}/{operation}/{}.json", self.sha256);
        if key.len() > S3_KEY_MAX_BYTES {
            return Err(BaselineError::new(
                "s3.override-prefix",
                format!("the override object key would be {} bytes, more than S3's {S3_KEY_MAX_BYTES}", key.len()),
                "shorten `override-prefix`, the plan name or the operation name",
            ));
        }
        Ok(key)
    }

    /// Where the document lives and how AWS-RunPatchBaseline is told so.
    pub fn location(
        &self,
        bucket: &str,
        prefix: &str,
        plan: &str,
        operation: &str,
    ) -> Result<OverrideLocation, BaselineError> {
        Ok(OverrideLocation { bucket: bucket.to_string(), key: self.object_key(prefix, plan, operation)? })
    }
}

/// An override document's place in S3.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OverrideLocation {
    /// Bucket.
    pub bucket: String,
    /// Key.
    pub key: String,
}

impl OverrideLocation {
    /// The `s3://bucket/key` URL for the `BaselineOverride` parameter. The payload downloads
    /// `s3://` URLs with the node's credentials; an `https://` URL is fetched anonymously, so a
    /// private bucket must be given this way (aws-facts §2.1).
    pub fn url(&self) -> String {
        format!("s3://{}/{}", self.bucket, self.key)
    }
}

/// The folder of a plan's override documents: `<prefix>/<plan>` (or `<plan>` with no prefix),
/// checked like [`OverrideDocument::object_key`]. Garbage collection never looks outside it.
pub fn plan_prefix(prefix: &str, plan: &str) -> Result<String, BaselineError> {
    let trimmed = prefix.trim_matches('/');
    if let Some(c) = trimmed.chars().find(|c| FORBIDDEN_FILE_NAME_CHARS.contains(c)) {
        return Err(forbidden("s3.override-prefix", "override prefix", trimmed, c));
    }
    if trimmed.split('/').any(|s| s == "." || s == "..") || trimmed.contains("//") {
        return Err(BaselineError::new(
            "s3.override-prefix",
            format!("override prefix `{}` has an empty, `.` or `..` segment", crate::input::echo(trimmed)),
            "write folder names separated by single `/`, e.g. `ssmpatch/overrides`",
        ));
    }
    segment("name", plan, "plan name")?;
    Ok(if trimmed.is_empty() { plan.to_string() } else { format!("{trimmed}/{plan}") })
}

/// The key of a document with hash `sha256` (checked).
pub fn override_key(prefix: &str, plan: &str, operation: &str, sha256: &str) -> Result<String, BaselineError> {
    OverrideDocument { bytes: Vec::new(), sha256: sha256.to_string() }.object_key(prefix, plan, operation)
}

fn forbidden(path: &str, what: &str, value: &str, c: char) -> BaselineError {
    BaselineError::new(
        path,
        format!(
            "{what} `{}` contains `{c}`, which AWS forbids in BaselineOverride file names",
            crate::input::echo(value)
        ),
        "remove backticks (`), single quotes ('), double quotes (\") and dollar signs ($) — \
         AWS-RunPatchBaseline cannot read an override whose name has them (patch-manager-baselineoverride-parameter)",
    )
}

/// One key segment: non-empty, no `/`, not `.`/`..`, no forbidden or control character.
fn segment(path: &str, value: &str, what: &str) -> Result<(), BaselineError> {
    if let Some(c) = value.chars().find(|c| FORBIDDEN_FILE_NAME_CHARS.contains(c)) {
        return Err(forbidden(path, what, value, c));
    }
    if value.is_empty() || value == "." || value == ".." || value.contains('/') || value.chars().any(char::is_control) {
        return Err(BaselineError::new(
            path,
            format!("{what} `{}` cannot be one folder of an S3 key", crate::input::echo(value)),
            "use letters, digits, `-`, `_` and `.` (no `/`)",
        ));
    }
    Ok(())
}

/// Renders the document for `approval` over `baselines` (inline baselines only; existing and
/// default baselines cannot be rendered offline). Elements are sorted by OS; formatting is AWS's
/// generator's: 4-space indent, `": "` between key and value, no trailing newline. Does not
/// validate and renders `[]` when nothing is inline: for specs the plan loader has checked
/// ([`crate::baseline::Baselines`] is the checked path).
pub fn render_override(
    baselines: &BTreeMap<OperatingSystem, BaselineSpec>,
    approval: Option<&ApprovalOverride>,
) -> OverrideDocument {
    let mut items: Vec<(&'static str, Value)> = baselines
        .iter()
        .filter(|(_, b)| !b.is_existing())
        .map(|(os, b)| (os.as_str(), b.to_aws(*os, approval)))
        .collect();
    items.sort_by(|a, b| a.0.cmp(b.0));
    OverrideDocument::from_elements(items.into_iter().map(|(_, v)| v).collect())
}
