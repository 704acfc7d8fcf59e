//! Patch baselines in a plan, and the `BaselineOverride` documents rendered from them.
//!
//! A plan declares, per operating system, either an existing baseline (`baseline-id`) or inline
//! rules; an OS it does not name uses the AWS default baseline. An operation may carry its own
//! [`ApprovalOverride`] (the seed's 14-day scan and 21-day install): it replaces the approval
//! delay (or date), and optionally the compliance level, in **every** approval rule of every
//! inline baseline. The effective rules of an operation render to the JSON array
//! `AWS-RunPatchBaseline` reads from S3 — one `GetPatchBaseline`-shaped object per OS, as AWS's
//! own generator writes it (`json.dumps(..., indent=4, sort_keys=True)`), so the bytes and their
//! SHA-256 are deterministic.
//!
//! Every API limit lives in [`LIMITS`] with its source, so a limit is a one-line change.
//!
//! # Layers
//! - **File types** ([`BaselineSpec`], [`ApprovalRuleSpec`], [`PatchSourceSpec`],
//!   [`ApprovalOverride`], the AWS enums): serde, kebab-case, `deny_unknown_fields`, JSON Schema.
//!   In TOML, the seed case reads:
//!   ```toml
//!   [baselines.AMAZON_LINUX_2023]
//!   rejected-patches = ["kernel-livepatch*"]
//!   rejected-patches-action = "BLOCK"
//!
//!   [[baselines.AMAZON_LINUX_2023.approval-rules]]
//!   approve-after-days = 7
//!   compliance-level = "HIGH"
//!   filters = { CLASSIFICATION = ["Security", "Bugfix"], SEVERITY = ["Critical", "Important"] }
//!
//!   [operations.scan]
//!   approval = { approve-after-days = 14 }
//!
//!   [operations.install]
//!   approval = { approve-after-days = 21 }
//!   ```
//!   `baseline-id = "pb-0123456789abcdef0"` (alone) names an existing baseline instead; leaving
//!   an OS out means the AWS default baseline.
//! - **Validated types** ([`Baselines`], [`Baseline`], [`InlineBaseline`], [`Approval`],
//!   [`BaselineId`], [`ApprovalDelay`]): made only by validation, so they hold nothing AWS would
//!   reject; every problem is a [`BaselineError`] with a key path and a hint.
//! - **AWS shape** ([`PatchBaselineRules`] and its parts): the neutral form of one OS's rules —
//!   the override element, `CreatePatchBaseline`/`UpdatePatchBaseline` input
//!   ([`CreatePatchBaselineInput`], [`UpdatePatchBaselineInput`]), and the
//!   [`comparable`](PatchBaselineRules::comparable) form for drift. An operation's approval is
//!   applied by [`PatchBaselineRules::merge`], which documents the merge semantics.
//! - **Documents** ([`OverrideDocument`]): bytes, sha256, the checked S3 key
//!   `<prefix>/<plan>/<operation>/<sha256>.json` (rejecting the file-name characters AWS forbids,
//!   [`FORBIDDEN_FILE_NAME_CHARS`]) and the `s3://` URL ([`OverrideLocation`]).
//! - **Publishing** ([`publish`], [`collect_garbage`], [`garbage`] over the [`ObjectStore`]
//!   trait; [`MemoryStore`] for tests; [`publish_actions`] as data): never overwrite, never
//!   delete what a live task references or what lies outside the plan's prefix.
//!
//! ```
//! use std::collections::BTreeMap;
//! use ssmpatch::baseline::{Approval, BaselineSpec, Baselines, OperatingSystem};
//!
//! let specs: BTreeMap<OperatingSystem, BaselineSpec> = toml::from_str(r#"
//!     [[AMAZON_LINUX_2023.approval-rules]]
//!     approve-after-days = 7
//!     filters = { CLASSIFICATION = ["Security"] }
//! "#).unwrap();
//! let baselines = Baselines::validate(&specs, "baselines").unwrap();
//! let scan = Approval::after_days(14).unwrap();
//! let doc = baselines.render_override(Some(&scan)).unwrap();
//! assert!(doc.as_str().contains("\"ApproveAfterDays\": 14"));
//! let at = doc.location("my-bucket", "ssmpatch/overrides", "web", "scan").unwrap();
//! assert_eq!(at.url(), format!("s3://my-bucket/ssmpatch/overrides/web/scan/{}.json", doc.sha256));
//! ```

mod error;
mod json;
mod limits;
mod publish;
mod render;
mod rules;
mod spec;
mod validate;

pub use error::{BaselineError, BaselineErrors, BaselineIssue};
pub use json::{canonical, to_aws_json};
pub use limits::{FORBIDDEN_FILE_NAME_CHARS, LIMITS, Limit, Limits};
pub use publish::{
    MemoryStore, ObjectAction, ObjectMeta, ObjectStore, OverrideObject, PublishError, PublishReport, PutOutcome,
    PutRequest, PutSettings, StoreError, StoredObject, collect_garbage, conflict, garbage, is_document_key, publish,
    publish_actions,
};
pub use render::{OverrideDocument, OverrideLocation, S3_KEY_MAX_BYTES, override_key, plan_prefix, render_override};
pub use rules::{
    ApprovalChange, CreatePatchBaselineInput, PatchBaselineRules, PatchFilter, PatchRule, PatchSource,
    UpdatePatchBaselineInput,
};
pub use spec::{
    ApprovalOverride, ApprovalRuleSpec, BaselineSpec, ComplianceLevel, OperatingSystem, PatchFilterKey,
    PatchSourceSpec, RejectedPatchesAction, UnknownOperatingSystem,
};
pub use validate::{Approval, ApprovalDelay, Baseline, BaselineId, Baselines, InlineBaseline};
