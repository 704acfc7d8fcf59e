//! The crate's error: what went wrong, kept as data (the AWS error code, message and request id;
//! the plan's located problems; the strategy's failure), with one way to ask for a hint
//! ([`Hint`]). `Display` never includes the hint: adapters print it on a line of its own.

#[cfg(feature = "aws")]
use aws_sdk_ssm::error::ProvideErrorMetadata;
#[cfg(feature = "aws")]
use aws_smithy_runtime_api::client::result::SdkError;
#[cfg(feature = "aws")]
use aws_types::request_id::RequestId;

use crate::plan::{PlanError, PlanErrors};
use crate::strategy::StrategyError;

/// What a person can do about an error, when there is something to say.
pub trait Hint {
    /// One sentence: what to do next.
    fn hint(&self) -> Option<String>;
}

/// What can go wrong when planning against, or changing, AWS.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An AWS call failed.
    #[error("{service} {operation} failed: {}{message}{}", code.as_deref().map(|c| format!("{c}: ")).unwrap_or_default(), request_id.as_deref().map(|r| format!(" (request id {r})")).unwrap_or_default())]
    Aws {
        /// e.g. `ssm`.
        service: &'static str,
        /// e.g. `CreateMaintenanceWindow`.
        operation: &'static str,
        /// The AWS error code, e.g. `ThrottlingException`; `None` when no answer came.
        code: Option<String>,
        /// AWS's message.
        message: String,
        /// The request id, for AWS support.
        request_id: Option<String>,
    },
    /// The plan is invalid.
    #[error("{0}")]
    Plan(#[from] PlanErrors),
    /// The compliance strategy could not be loaded, failed, or returned what the host refuses.
    #[error("{0}")]
    Strategy(#[from] StrategyError),
    /// A caller's request cannot be carried out as given (an unknown operation, a command that is
    /// not a patch run, a missing strategy file…).
    #[error("{message}")]
    Input {
        /// What is wrong.
        message: String,
        /// What to do instead.
        hint: Option<String>,
    },
    /// A resource carries the plan's name but was not created by ssmpatch for it.
    #[error("{0}")]
    Foreign(String),
    /// The live state changed since the plan was computed (apply re-checks).
    #[error("{0}")]
    Stale(String),
    /// Something AWS returned that ssmpatch cannot use.
    #[error("{0}")]
    Unexpected(String),
    /// A bug in ssmpatch: a resource it built itself cannot be sent.
    #[error("{0} (a bug in ssmpatch; please report it)")]
    Internal(String),
}

impl From<PlanError> for Error {
    fn from(e: PlanError) -> Self {
        Error::Plan(PlanErrors(vec![e]))
    }
}

impl Hint for Error {
    fn hint(&self) -> Option<String> {
        match self {
            Error::Aws { code: Some(c), .. } if c.contains("Throttl") => {
                Some("AWS throttled the calls even after retries; run again, or lower the concurrency".into())
            }
            Error::Aws { code: Some(c), .. } if c == "AccessDeniedException" || c == "AccessDenied" => {
                Some("`ssmpatch iam-policy PLAN` prints the permissions this plan needs".into())
            }
            #[cfg(feature = "aws")]
            Error::Aws { code: Some(c), .. } if c == crate::backends::DEPLOYMENT_FAILED => Some(format!(
                "Quick Setup deploys through the plan's local deployment roles (`[patch-policy]` administration-role \
                 and execution-role, by default {} and {}), which must exist in the account with the trust and \
                 permissions docs/patch-policies.md lists (roles made a moment ago may take a while to be usable); \
                 fix the cause above and run apply again",
                crate::backends::LOCAL_ADMINISTRATION_ROLE,
                crate::backends::LOCAL_EXECUTION_ROLE
            )),
            #[cfg(feature = "aws")]
            Error::Aws { code: Some(c), .. } if c == crate::backends::DEPLOYMENT_TIMED_OUT => {
                Some("the deployment may still finish: run `ssmpatch plan` later to see where it stands".into())
            }
            Error::Aws { code: None, .. } => {
                Some("check the region, credentials and endpoint (`--endpoint-url` / AWS_ENDPOINT_URL)".into())
            }
            Error::Plan(errors) => errors.0.first().and_then(|e| e.hint.clone()),
            Error::Strategy(e) => e.hint(),
            Error::Input { hint, .. } => hint.clone(),
            Error::Foreign(_) => {
                Some("rename or remove the other resource; ssmpatch never modifies what it did not create".into())
            }
            Error::Stale(_) => Some("run `ssmpatch plan` again and apply the new plan".into()),
            _ => None,
        }
    }
}

impl Hint for StrategyError {
    fn hint(&self) -> Option<String> {
        let h = match self {
            StrategyError::Invalid { .. } => {
                "give a built-in name (`ssmpatch strategy list`) or a component built for wasm32-wasip2"
            }
            StrategyError::OutOfFuel { .. } => {
                "raise `fuel` (the plan's `[compliance.limits]`, or --fuel), or do less work per call"
            }
            StrategyError::Timeout { .. } => {
                "raise `timeout-seconds` (the plan's `[compliance.limits]`, or --timeout-seconds)"
            }
            StrategyError::MemoryLimit { .. } => {
                "raise `memory-mib` (the plan's `[compliance.limits]`, or --memory-mib)"
            }
            StrategyError::Denied { .. } => "a strategy gets its input as arguments and answers with actions",
            StrategyError::InterfaceVersion { found, expected, .. } => {
                return Some(format!(
                    "rebuild it with the ssmpatch-strategy-sdk for interface {expected}, or run it with an \
                     ssmpatch whose interface is {found}"
                ));
            }
            _ => return None,
        };
        Some(h.to_string())
    }
}

impl Hint for crate::baseline::StoreError {
    fn hint(&self) -> Option<String> {
        (!self.hint.is_empty()).then(|| self.hint.clone())
    }
}

impl Hint for crate::baseline::PublishError {
    fn hint(&self) -> Option<String> {
        match self {
            crate::baseline::PublishError::Store(e) => e.hint(),
            crate::baseline::PublishError::Conflict { .. } => Some(
                "override objects are content-addressed and never overwritten; if nothing uses that object, \
                 delete it by hand, or choose another `override-prefix`"
                    .into(),
            ),
            crate::baseline::PublishError::NotContentAddressed { .. } => {
                Some("build keys with `OverrideDocument::object_key`".into())
            }
        }
    }
}

impl Hint for PlanError {
    fn hint(&self) -> Option<String> {
        self.hint.clone()
    }
}

impl Hint for crate::schedule::ScheduleError {
    fn hint(&self) -> Option<String> {
        self.hint.clone()
    }
}

impl Hint for crate::baseline::BaselineError {
    fn hint(&self) -> Option<String> {
        (!self.hint.is_empty()).then(|| self.hint.clone())
    }
}

impl Hint for crate::run_output::OutputError {
    fn hint(&self) -> Option<String> {
        (!self.hint.is_empty()).then(|| self.hint.clone())
    }
}

impl Error {
    /// A caller's request that cannot be carried out.
    pub fn input(message: impl Into<String>, hint: Option<String>) -> Error {
        Error::Input { message: message.into(), hint }
    }

    /// True for an AWS error with this code.
    pub fn is_code(&self, want: &str) -> bool {
        matches!(self, Error::Aws { code: Some(c), .. } if c == want)
    }
}

/// Convert an SDK error, keeping code, message and request id.
#[cfg(feature = "aws")]
pub(crate) fn aws<E, R>(service: &'static str, operation: &'static str, e: SdkError<E, R>) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
    SdkError<E, R>: RequestId,
{
    let request_id = e.request_id().map(str::to_string);
    let code = e.code().map(str::to_string);
    let message = match (e.message(), &e) {
        (Some(m), _) => m.to_string(),
        (None, SdkError::DispatchFailure(d)) => format!("could not reach the endpoint: {d:?}"),
        (None, SdkError::TimeoutError(_)) => "the call timed out".to_string(),
        (None, other) => {
            let mut s = other.to_string();
            let mut src = std::error::Error::source(other);
            while let Some(x) = src {
                s.push_str(&format!(": {x}"));
                src = x.source();
            }
            s
        }
    };
    Error::Aws { service, operation, code, message, request_id }
}
