//! The crate's error for everything that touches AWS: the AWS error code, message and request id
//! kept as data, with a hint for people.

use aws_sdk_ssm::error::ProvideErrorMetadata;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_types::request_id::RequestId;

use crate::plan::{PlanError, PlanErrors};

/// What can go wrong when planning against, or changing, AWS.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An AWS call failed.
    #[error("{service} {operation} failed: {}{message}{}", code.as_deref().map(|c| format!("{c}: ")).unwrap_or_default(), request_id.as_deref().map(|r| format!(" (request id {r})")).unwrap_or_default())]
    Aws {
        /// e.g. `ssm`.
        service: &'static str,
        /// e.g. `CreateMaintenanceWindow`.
        operation: &'static str,
        /// The AWS error code, e.g. `ThrottlingException`.
        code: Option<String>,
        /// AWS's message.
        message: String,
        /// The request id, for AWS support.
        request_id: Option<String>,
    },
    /// The plan is invalid.
    #[error("{0}")]
    Plan(#[from] PlanErrors),
    /// A resource carries the plan's name but was not created by ssmpatch for it.
    #[error("{0}")]
    Foreign(String),
    /// The live state changed since the plan was computed (apply re-checks).
    #[error("{0}")]
    Stale(String),
    /// Something AWS returned that ssmpatch cannot use.
    #[error("{0}")]
    Unexpected(String),
}

impl From<PlanError> for Error {
    fn from(e: PlanError) -> Self {
        Error::Plan(PlanErrors(vec![e]))
    }
}

impl Error {
    /// A hint for people, when there is one.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::Aws { code: Some(c), .. } if c.contains("Throttl") => {
                Some("AWS throttled the calls even after retries; run again, or lower the concurrency".into())
            }
            Error::Aws { code: Some(c), .. } if c == "AccessDeniedException" || c == "AccessDenied" => {
                Some("`ssmpatch iam-policy PLAN` prints the permissions this plan needs".into())
            }
            Error::Aws { code: None, .. } => {
                Some("check the region, credentials and endpoint (`--endpoint-url` / AWS_ENDPOINT_URL)".into())
            }
            Error::Foreign(_) => {
                Some("rename or remove the other resource; ssmpatch never modifies what it did not create".into())
            }
            Error::Stale(_) => Some("run `ssmpatch plan` again and apply the new plan".into()),
            _ => None,
        }
    }

    /// True for an AWS error with this code.
    pub fn is_code(&self, want: &str) -> bool {
        matches!(self, Error::Aws { code: Some(c), .. } if c == want)
    }
}

/// Convert an SDK error, keeping code, message and request id.
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
