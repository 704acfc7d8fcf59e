//! Creates that take no idempotency token — State Manager's `CreateAssociation` and Quick Setup's
//! `CreateConfigurationManager` (neither input has a `ClientToken` or any member with the
//! `idempotencyToken` trait in the SSM and Quick Setup service models) — sent at most once each:
//! a retry after AWS applied the request but answered with a 5xx, or the connection dropped,
//! would make a second association or patch policy that keeps running.
//!
//! [`create_once`] sends the create with the SDK's retries off for that one call (its timeouts
//! stay), and sorts a failure into three:
//!
//! - throttled (`ThrottlingException`, HTTP 429…): refused before it took effect, tried again
//!   after a pause ([`THROTTLE_RETRIES`], [`THROTTLE_PAUSE_FIRST`] doubling up to
//!   [`THROTTLE_PAUSE_MAX`]);
//! - refused (any other 4xx, a request that could not be built): not ambiguous, the error as is;
//! - ambiguous (a 5xx, a dropped or failed connection, a timeout, an answer that cannot be read):
//!   the request may have taken effect. The resource is looked up by name and ownership tags
//!   (`ssmpatch:managed-by`, `ssmpatch:plan`) for up to the clients' `ambiguous_create_wait`
//!   (default [`crate::aws::DEFAULT_AMBIGUOUS_CREATE_WAIT`]; List/Describe reads are eventually
//!   consistent); found, it is adopted. Not found within that time, the create is NOT sent again:
//!   the error says it may have happened, and the next apply finds it (plan and apply observe a
//!   plan's resources by name and tag) instead of making another.
//!
//! Creates that do take a token (CreateMaintenanceWindow, RegisterTargetWithMaintenanceWindow,
//! RegisterTaskWithMaintenanceWindow, CreatePatchBaseline) need none of this: the SDK fills
//! `ClientToken` once per call, before its retry loop, and every retry carries the same token, so
//! AWS answers a retry with the first call's resource. S3 override objects are content-addressed
//! keys written with `If-None-Match: *`.

use std::future::Future;
use std::time::{Duration, Instant};

use aws_sdk_ssm::error::ProvideErrorMetadata;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_types::request_id::RequestId;

use crate::error::{Error, aws};

/// How many times a throttled create is sent again (the first try not counted).
pub(crate) const THROTTLE_RETRIES: u32 = 6;
/// The pause before the first retry of a throttled create; doubled for each next one.
pub(crate) const THROTTLE_PAUSE_FIRST: Duration = Duration::from_millis(500);
/// The longest pause between two tries of a throttled create.
pub(crate) const THROTTLE_PAUSE_MAX: Duration = Duration::from_secs(8);
/// The pause before the second lookup after an ambiguous create; doubled for each next one.
pub(crate) const LOOKUP_PAUSE_FIRST: Duration = Duration::from_millis(500);
/// The longest pause between two lookups.
pub(crate) const LOOKUP_PAUSE_MAX: Duration = Duration::from_secs(4);

/// AWS's throttling error codes (the SDKs' list: aws-runtime `THROTTLING_ERRORS`).
const THROTTLING_CODES: [&str; 14] = [
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
];

/// What a failed create tells about its effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Refused before it took effect, for the rate: try again after a pause.
    Throttled,
    /// Refused (validation, access, a conflict…) or never sent: nothing to look for.
    Refused,
    /// It may have taken effect.
    Ambiguous,
}

/// Sorts an SDK error: see the module documentation.
pub(crate) fn outcome<E: ProvideErrorMetadata>(e: &SdkError<E, HttpResponse>) -> Outcome {
    match e {
        SdkError::ConstructionFailure(_) => Outcome::Refused,
        // A request the client refused to send (no credentials, an invalid endpoint) never left;
        // any other failure to get an answer may have come after AWS received it.
        SdkError::DispatchFailure(d) if d.is_user() => Outcome::Refused,
        SdkError::ServiceError(s) => {
            let status = s.raw().status().as_u16();
            if status == 429 || e.code().is_some_and(|c| THROTTLING_CODES.contains(&c)) {
                Outcome::Throttled
            } else if status >= 500 {
                Outcome::Ambiguous
            } else {
                Outcome::Refused
            }
        }
        _ => Outcome::Ambiguous,
    }
}

/// What is created, for [`create_once`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Create<'a> {
    /// e.g. `ssm`.
    pub(crate) service: &'static str,
    /// e.g. `CreateAssociation`.
    pub(crate) operation: &'static str,
    /// How messages name the resource, e.g. `association ssmpatch-p-install`.
    pub(crate) label: &'a str,
    /// How long to look for it after an ambiguous outcome.
    pub(crate) wait: Duration,
}

/// Sends `send` (a create with the SDK's retries off) and returns what it made; on an ambiguous
/// outcome returns what `find` finds (the resource by name and ownership tags, `None` when not
/// there) within `create.wait`, or an error saying the create may have happened. See the module
/// documentation.
pub(crate) async fn create_once<T, E, S, SF, F, FF>(create: Create<'_>, mut send: S, mut find: F) -> Result<T, Error>
where
    S: FnMut() -> SF,
    SF: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
    F: FnMut() -> FF,
    FF: Future<Output = Result<Option<T>, Error>>,
    E: ProvideErrorMetadata + std::error::Error + 'static,
    SdkError<E, HttpResponse>: RequestId,
{
    let mut pause = THROTTLE_PAUSE_FIRST;
    let mut retries = 0;
    let first = loop {
        let e = match send().await {
            Ok(made) => return Ok(made),
            Err(e) => e,
        };
        match outcome(&e) {
            Outcome::Throttled if retries < THROTTLE_RETRIES => {
                retries += 1;
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(THROTTLE_PAUSE_MAX);
            }
            Outcome::Throttled | Outcome::Refused => return Err(aws(create.service, create.operation, e)),
            Outcome::Ambiguous => break aws(create.service, create.operation, e),
        }
    };
    let start = Instant::now();
    let mut pause = LOOKUP_PAUSE_FIRST;
    let mut lookups = 0;
    let mut lookup_error = None;
    loop {
        lookups += 1;
        match find().await {
            Ok(Some(found)) => return Ok(found),
            Ok(None) => {}
            Err(e) => lookup_error = Some(e),
        }
        let elapsed = start.elapsed();
        if elapsed >= create.wait {
            break;
        }
        tokio::time::sleep(pause.min(create.wait - elapsed)).await;
        pause = (pause * 2).min(LOOKUP_PAUSE_MAX);
    }
    Err(may_have_happened(create, first, lookups, start.elapsed(), lookup_error))
}

/// The error of a create that may have taken effect and was not found: the first error's code
/// and request id, and what happened since.
fn may_have_happened(
    create: Create<'_>,
    first: Error,
    lookups: u32,
    waited: Duration,
    lookup_error: Option<Error>,
) -> Error {
    let (code, request_id, message) = match first {
        Error::Aws { code, request_id, message, .. } => (code, request_id, message),
        other => (None, None, other.to_string()),
    };
    let lookup = match lookup_error {
        Some(e) => format!(" (the last lookup failed: {e})"),
        None => String::new(),
    };
    Error::Aws {
        service: create.service,
        operation: create.operation,
        code,
        request_id,
        message: format!(
            "{message} — the create may have happened: the request was sent and no answer said whether it took \
             effect, and no {} with this plan's ownership tags showed up in {lookups} lookups over {:.0} s{lookup} \
             (AWS's lists are eventually consistent). It was not sent again, so as not to make a second one; the \
             next apply finds it by its name and tags — wait a minute, then run apply again",
            create.label,
            waited.as_secs_f64(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ssm::operation::create_association::CreateAssociationError;
    use aws_smithy_runtime_api::client::result::ConnectorError;
    use aws_smithy_types::body::SdkBody;
    use aws_smithy_types::error::ErrorMetadata;

    fn service(status: u16, code: &str) -> SdkError<CreateAssociationError, HttpResponse> {
        let raw = HttpResponse::new(status.try_into().expect("status"), SdkBody::empty());
        SdkError::service_error(CreateAssociationError::generic(ErrorMetadata::builder().code(code).build()), raw)
    }

    #[test]
    fn failures_are_sorted_by_whether_the_create_may_have_happened() {
        assert_eq!(outcome(&service(400, "ThrottlingException")), Outcome::Throttled);
        assert_eq!(outcome(&service(429, "Whatever")), Outcome::Throttled);
        assert_eq!(outcome(&service(400, "ValidationException")), Outcome::Refused);
        assert_eq!(outcome(&service(400, "AssociationAlreadyExists")), Outcome::Refused);
        assert_eq!(outcome(&service(403, "AccessDeniedException")), Outcome::Refused);
        assert_eq!(outcome(&service(500, "InternalServerError")), Outcome::Ambiguous);
        assert_eq!(outcome(&service(503, "ServiceUnavailable")), Outcome::Ambiguous);
        let io = ConnectorError::io("connection closed before message completed".into());
        assert_eq!(outcome::<CreateAssociationError>(&SdkError::dispatch_failure(io)), Outcome::Ambiguous);
        let user = ConnectorError::user("invalid endpoint".into());
        assert_eq!(outcome::<CreateAssociationError>(&SdkError::dispatch_failure(user)), Outcome::Refused);
        assert_eq!(outcome::<CreateAssociationError>(&SdkError::timeout_error("attempt timeout")), Outcome::Ambiguous);
        assert_eq!(outcome::<CreateAssociationError>(&SdkError::construction_failure("no region")), Outcome::Refused);
    }

    fn create(wait: Duration) -> Create<'static> {
        Create { service: "ssm", operation: "CreateAssociation", label: "association a", wait }
    }

    #[tokio::test]
    async fn an_ambiguous_create_is_looked_up_and_never_sent_again() {
        let sent = std::cell::Cell::new(0);
        let looked = std::cell::Cell::new(0);
        // Found on the third lookup: adopted, sent once.
        let got = create_once(
            create(Duration::from_secs(3)),
            || {
                sent.set(sent.get() + 1);
                async { Err::<String, _>(service(500, "InternalServerError")) }
            },
            || {
                looked.set(looked.get() + 1);
                let n = looked.get();
                async move { Ok((n == 3).then(|| "id-1".to_string())) }
            },
        )
        .await;
        assert_eq!((got.expect("adopted"), sent.get(), looked.get()), ("id-1".to_string(), 1, 3));
        // Never found: one send, lookups until the wait is over, an error that says so.
        sent.set(0);
        looked.set(0);
        let e = create_once(
            create(Duration::from_secs(2)),
            || {
                sent.set(sent.get() + 1);
                async { Err::<String, _>(service(500, "InternalServerError")) }
            },
            || {
                looked.set(looked.get() + 1);
                async { Ok(None) }
            },
        )
        .await
        .expect_err("unknown");
        assert_eq!((sent.get(), looked.get()), (1, 4), "after 0, 0.5, 1.5 and 2 s");
        let text = e.to_string();
        assert!(e.is_code("InternalServerError"), "{text}");
        assert!(
            text.contains("may have happened") && text.contains("association a") && text.contains("4 lookups"),
            "{text}"
        );
    }

    #[tokio::test]
    async fn throttles_are_retried_and_refusals_are_not_looked_up() {
        let sent = std::cell::Cell::new(0);
        let got = create_once(
            create(Duration::from_secs(20)),
            || {
                sent.set(sent.get() + 1);
                let n = sent.get();
                async move { if n < 3 { Err(service(400, "ThrottlingException")) } else { Ok("id-2".to_string()) } }
            },
            || async { panic!("a throttle is not ambiguous") },
        )
        .await;
        assert_eq!((got.expect("created"), sent.get()), ("id-2".to_string(), 3));
        let e = create_once(
            create(Duration::from_secs(20)),
            || async { Err::<String, _>(service(400, "ValidationException")) },
            || async { panic!("a refusal is not ambiguous") },
        )
        .await
        .expect_err("refused");
        assert!(e.is_code("ValidationException") && !e.to_string().contains("may have"));
    }
}
