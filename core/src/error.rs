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
    #[error("{service} {operation} failed: {message}{}", aws_ids(code.as_deref(), request_id.as_deref()))]
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
    /// Another apply or destroy of the same plan holds its lease (`crate::lease`): nothing was
    /// read or changed.
    #[error("{}", locked_message(plan, parameter, holder, *acquired, *expires, *race))]
    Locked {
        /// The plan.
        plan: String,
        /// The Parameter Store parameter holding the lease.
        parameter: String,
        /// Who holds it: user, host, process id and command.
        holder: String,
        /// When the holder took it.
        acquired: jiff::Timestamp,
        /// When it expires unless renewed (a killed holder's lease is taken over after this).
        expires: jiff::Timestamp,
        /// Another apply took over the expired lease at the same moment (`holder` is who holds it
        /// now, as far as could be read).
        race: bool,
    },
    /// The lease was lost while the apply held it (`crate::lease::Lease::lost`).
    #[error(
        "the lease of plan `{plan}` (parameter {parameter}) was lost while this apply held it: {reason}; another \
         apply or destroy may have changed the plan at the same time"
    )]
    LeaseLost {
        /// The plan.
        plan: String,
        /// The Parameter Store parameter holding the lease.
        parameter: String,
        /// Why.
        reason: String,
    },
}

/// How long from `from` to `to`, in words ("3 min 20 s"; never negative).
pub(crate) fn span(from: jiff::Timestamp, to: jiff::Timestamp) -> String {
    let secs = to.duration_since(from).as_secs().max(0);
    match secs {
        0..=59 => format!("{secs} s"),
        60..=3599 => format!("{} min {} s", secs / 60, secs % 60),
        _ => format!("{} h {} min", secs / 3600, secs % 3600 / 60),
    }
}

fn locked_message(
    plan: &str,
    parameter: &str,
    holder: &str,
    acquired: jiff::Timestamp,
    expires: jiff::Timestamp,
    race: bool,
) -> String {
    let now = jiff::Timestamp::now();
    if race {
        return format!(
            "plan `{plan}` is locked: another apply took over the expired lease at the same moment (now held by \
             {holder}; parameter {parameter})"
        );
    }
    format!(
        "plan `{plan}` is locked: another apply or destroy holds its lease — {holder}, for {} (it expires at {expires} \
         unless renewed, in {}; parameter {parameter})",
        span(acquired, now),
        span(now, expires)
    )
}

/// ` (AWS error code C, request id R)` — each part only when AWS gave it.
fn aws_ids(code: Option<&str>, request_id: Option<&str>) -> String {
    let parts: Vec<String> =
        [code.map(|c| format!("AWS error code {c}")), request_id.map(|r| format!("request id {r}"))]
            .into_iter()
            .flatten()
            .collect();
    if parts.is_empty() { String::new() } else { format!(" ({})", parts.join(", ")) }
}

/// AWS error codes of failures on AWS's side or of too many calls: the same call, made again
/// unchanged, may succeed (the SDK already retried it). The codes the SSM, Quick Setup and S3 API
/// references list for 5xx answers and throttling.
const TRANSIENT_CODES: [&str; 9] = [
    "InternalServerError",
    "InternalServerException",
    "InternalFailure",
    "InternalError",
    "ServiceUnavailable",
    "ServiceUnavailableException",
    "SlowDown",
    "RequestTimeout",
    "TooManyUpdates",
];

impl Error {
    /// Whether running the same command again, unchanged, may succeed: AWS did not answer (a
    /// timeout, a dropped connection), throttled, or failed on its side, or the live state
    /// changed meanwhile. Otherwise something must change first (the plan, permissions, a
    /// resource in the way) and saying "run it again" would mislead.
    pub fn retry_may_help(&self) -> bool {
        match self {
            Error::Aws { code: None, .. } | Error::Stale(_) | Error::LeaseLost { .. } => true,
            Error::Aws { code: Some(c), .. } => c.contains("Throttl") || TRANSIENT_CODES.contains(&c.as_str()),
            _ => false,
        }
    }
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
            Error::Aws { code: None, message, .. } if message.starts_with("timed out") => Some(
                "AWS or the network answered too slowly: run again, or raise the limit named above; if it keeps \
                 happening, check the endpoint and the network path to it"
                    .into(),
            ),
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
            Error::Locked { parameter, expires, .. } => Some(format!(
                "wait for it to end, then run again; if it is gone (killed, its machine down) the lease expires at \
                 {expires} and the next apply takes it over by itself. Deleting parameter {parameter} while it may \
                 still run would let two applies change the plan at once"
            )),
            Error::LeaseLost { .. } => Some(
                "what was done is listed above; when the other apply or destroy has ended, run `ssmpatch plan` to see \
                 where the plan stands"
                    .into(),
            ),
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
            StrategyError::Host { setting: Some(var), .. } => {
                return Some(format!("point {var} at a directory you can write, unset it, or set it to `off`"));
            }
            StrategyError::Denied { .. } => "a strategy gets its input as arguments and answers with actions",
            StrategyError::InPlan { error, .. } => return error.hint(),
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

/// Convert an SDK error, keeping code, message and request id. When no answer came from AWS
/// (no credentials, no region, an endpoint that is malformed, refuses, cannot be resolved or does
/// not answer in time, an answer that is not AWS's), the message says so in words, with what to
/// do — never a debug dump of the SDK's error.
#[cfg(feature = "aws")]
pub(crate) fn aws<E, R>(service: &'static str, operation: &'static str, e: SdkError<E, R>) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
    SdkError<E, R>: RequestId,
{
    let request_id = e.request_id().map(str::to_string);
    let code = e.code().map(str::to_string);
    let message = match e.message() {
        Some(m) => m.to_string(),
        None => without_answer(&e),
    };
    Error::Aws { service, operation, code, message, request_id }
}

/// What the SDK's error says, cause after cause from `first`, without the wrappers' generic
/// words ("dispatch failure", "io error", "other"…).
#[cfg(feature = "aws")]
fn causes(first: Option<&(dyn std::error::Error + 'static)>) -> Vec<String> {
    const GENERIC: [&str; 10] = [
        "dispatch failure",
        "io error",
        "other",
        "timeout",
        "user error",
        "service error",
        "response error",
        "timeout error",
        "failed to construct request",
        "unhandled error",
    ];
    let mut out: Vec<String> = Vec::new();
    let mut next = first;
    while let Some(x) = next {
        let text = x.to_string();
        if !GENERIC.contains(&text.as_str()) && !out.iter().any(|o| o.contains(&text)) {
            out.push(text);
        }
        next = x.source();
    }
    out
}

/// The sentence for an SDK error that carries no message from AWS.
#[cfg(feature = "aws")]
fn without_answer<E, R>(e: &SdkError<E, R>) -> String
where
    E: std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let first = std::error::Error::source(e);
    let all = causes(first);
    let said = if all.is_empty() { e.to_string() } else { all.join(": ") };
    let io_kind = std::iter::successors(first, |x| x.source())
        .find_map(|x| x.downcast_ref::<std::io::Error>().map(std::io::Error::kind));
    // The credential chain's errors (aws-credential-types `CredentialsError`, whose Display texts
    // these are) reach us as the cause of a dispatch failure.
    let credentials = |prefix: &str| all.iter().any(|c| c.starts_with(prefix));
    if credentials("the credential provider was not enabled") {
        return "no AWS credentials found (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or name a profile that \
                has them with --profile or AWS_PROFILE — `aws configure` or `aws sso login` sets one up — or run \
                where an instance or container role provides them)"
            .to_string();
    }
    if ["credentials provider timed out", "the credentials provider was not properly configured"]
        .iter()
        .chain(&["an error occurred while loading credentials", "unexpected credentials error"])
        .any(|p| credentials(p))
    {
        return format!("could not load AWS credentials: {said}");
    }
    if said.contains("Missing Region")
        || said.contains("missing signing region")
        || said.contains("a required field was missing: `region`")
    {
        return "no region (set `region` in the plan, --region or AWS_REGION)".to_string();
    }
    if said.contains("invalid value for field: `region`") {
        return "the region is not a valid AWS Region name (set `region` in the plan, --region or AWS_REGION to \
                e.g. ap-northeast-1)"
            .to_string();
    }
    if said.contains("failed to apply endpoint") || said.contains("unsupported scheme") {
        return format!(
            "the endpoint URL is not valid ({said}); give an http:// or https:// URL with --endpoint-url or \
             AWS_ENDPOINT_URL"
        );
    }
    match e {
        SdkError::TimeoutError(_) => {
            let after = all.iter().find_map(|c| c.split_once(" occurred after ").map(|(_, d)| d.to_string()));
            let after = after.unwrap_or_else(|| "the limit".into());
            if said.contains("operation attempt timeout") {
                format!(
                    "timed out: the last attempt got no answer within {after} (the per-attempt limit, \
                     --attempt-timeout / attempt_timeout) and the retries ran out"
                )
            } else {
                format!(
                    "timed out: no answer within {after} (the limit for the whole call with its retries, \
                     --operation-timeout / operation_timeout)"
                )
            }
        }
        SdkError::DispatchFailure(d) if d.is_timeout() => {
            let after = all.iter().find_map(|c| c.split_once(" occurred after ").map(|(_, d)| d.to_string()));
            format!(
                "timed out: could not connect to the endpoint within {} (the connect limit, --connect-timeout / \
                 connect_timeout) and the retries ran out",
                after.unwrap_or_else(|| "the limit".into())
            )
        }
        SdkError::DispatchFailure(_) if io_kind == Some(std::io::ErrorKind::ConnectionRefused) => {
            "could not connect to the endpoint: the connection was refused (nothing listens there; check \
             --endpoint-url / AWS_ENDPOINT_URL)"
                .to_string()
        }
        SdkError::DispatchFailure(_) if said.contains("dns error") => format!(
            "could not resolve the endpoint's host name ({said}); check the region (an unknown Region has no \
             endpoint) and --endpoint-url / AWS_ENDPOINT_URL"
        ),
        SdkError::DispatchFailure(_) => format!("could not reach the endpoint: {said}"),
        SdkError::ResponseError(_) => format!(
            "the endpoint's answer is not an AWS answer ({said}); check --endpoint-url / AWS_ENDPOINT_URL and the \
             region"
        ),
        _ => said,
    }
}

#[cfg(test)]
mod aws_message_tests {
    use super::Error;

    #[test]
    fn the_aws_error_code_and_request_id_are_labelled() {
        let e = |code: Option<&str>, request_id: Option<&str>| {
            Error::Aws {
                service: "ssm",
                operation: "CreateMaintenanceWindow",
                code: code.map(str::to_string),
                message: "Maximum number of windows reached".into(),
                request_id: request_id.map(str::to_string),
            }
            .to_string()
        };
        assert_eq!(
            e(Some("ResourceLimitExceededException"), Some("4f3c")),
            "ssm CreateMaintenanceWindow failed: Maximum number of windows reached (AWS error code \
             ResourceLimitExceededException, request id 4f3c)"
        );
        assert_eq!(
            e(Some("ResourceLimitExceededException"), None),
            "ssm CreateMaintenanceWindow failed: Maximum number of windows reached (AWS error code \
             ResourceLimitExceededException)"
        );
        assert_eq!(
            e(None, Some("4f3c")),
            "ssm CreateMaintenanceWindow failed: Maximum number of windows reached (request id 4f3c)"
        );
        assert_eq!(e(None, None), "ssm CreateMaintenanceWindow failed: Maximum number of windows reached");
    }
}
