//! AWS configuration the way AWS tools do it: the standard credential chain and profiles,
//! `--region`, `--profile`, `--endpoint-url` / `AWS_ENDPOINT_URL`, the SDK's adaptive retries —
//! and timeouts on every call, so an endpoint that accepts a connection and never answers fails
//! the call instead of waiting forever.

use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;

/// Default connect timeout: several times the SDKs' own "standard" default of 3.1 s (AWS SDKs and
/// Tools reference guide, "Smart configuration defaults", `connectTimeoutInMillis`), so a slow VPN
/// or proxy still connects; a connect that times out is retried like any other attempt.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default per-attempt timeout: the AWS CLI's default socket read timeout (`--cli-read-timeout`,
/// 60 s). Every call ssmpatch makes is a small request answered in well under a second; a minute
/// without an answer means the endpoint is not going to answer.
pub const DEFAULT_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(60);
/// Default per-operation timeout (all attempts of one call, the retries' backoff included): three
/// attempts that get no answer at all, or many quick throttled ones.
pub const DEFAULT_OPERATION_TIMEOUT: Duration = Duration::from_secs(180);
/// The timeouts adapters accept, in whole seconds (the CLI's `--*-timeout`; Python takes
/// fractions of a second within the same bounds).
pub const TIMEOUT_SECONDS_RANGE: std::ops::RangeInclusive<u64> = 1..=3600;
/// Default for how long a create that takes no idempotency token (`CreateAssociation`, Quick
/// Setup's `CreateConfigurationManager`) looks for the resource it may have made after an ambiguous
/// outcome (a 5xx, a dropped connection, a timeout), before saying it may exist. AWS's List and
/// Describe reads are eventually consistent and AWS documents no bound on the delay (UNCONFIRMED);
/// 20 s, with lookups after 0, 0.5, 1.5, 3.5, 7.5, 11.5, 15.5 and 19.5 s and one at the end.
pub const DEFAULT_AMBIGUOUS_CREATE_WAIT: Duration = Duration::from_secs(20);

/// Where and as whom to talk to AWS.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct AwsOptions {
    /// Region (else the plan's, else the standard chain: `AWS_REGION`, profile, IMDS).
    pub region: Option<String>,
    /// Named profile from `~/.aws/config`.
    pub profile: Option<String>,
    /// Endpoint for every service (a local stand-in); `AWS_ENDPOINT_URL` is honoured as well.
    pub endpoint_url: Option<String>,
    /// Total attempts per call, first included (default 5, adaptive).
    pub max_attempts: Option<u32>,
    /// Fixed credentials instead of the chain (a local stand-in's `testing` keys).
    pub static_credentials: Option<(String, String)>,
    /// How long to wait for a connection (TCP and TLS) to an endpoint (default
    /// [`DEFAULT_CONNECT_TIMEOUT`]).
    pub connect_timeout: Option<Duration>,
    /// How long one attempt of a call may wait for its answer before it fails and is retried
    /// (default [`DEFAULT_ATTEMPT_TIMEOUT`]).
    pub attempt_timeout: Option<Duration>,
    /// How long one call may take in all, every attempt and the backoff between them included
    /// (default [`DEFAULT_OPERATION_TIMEOUT`]). A call that runs out fails as an AWS error naming
    /// the operation and the limit.
    pub operation_timeout: Option<Duration>,
    /// How long a create without an idempotency token looks for what it may have made after an
    /// ambiguous outcome (default [`DEFAULT_AMBIGUOUS_CREATE_WAIT`]).
    pub ambiguous_create_wait: Option<Duration>,
}

impl AwsOptions {
    /// A local stand-in at `url`, with its test credentials.
    pub fn stand_in(url: &str, region: &str) -> AwsOptions {
        AwsOptions {
            region: Some(region.to_string()),
            endpoint_url: Some(url.to_string()),
            static_credentials: Some(("testing".into(), "testing".into())),
            ..AwsOptions::default()
        }
    }
}

impl AwsOptions {
    /// The SDK's timeout settings: these options', else the defaults. (The attempt timeout runs
    /// until an answer is read; a streamed S3 body is read after it, by the caller.)
    pub fn timeouts(&self) -> TimeoutConfig {
        TimeoutConfig::builder()
            .connect_timeout(self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))
            .operation_attempt_timeout(self.attempt_timeout.unwrap_or(DEFAULT_ATTEMPT_TIMEOUT))
            .operation_timeout(self.operation_timeout.unwrap_or(DEFAULT_OPERATION_TIMEOUT))
            .build()
    }
}

/// The service clients ssmpatch uses.
#[derive(Debug, Clone)]
pub struct Clients {
    /// Systems Manager.
    pub ssm: aws_sdk_ssm::Client,
    /// S3 (path-style when an endpoint is given, as local stand-ins need).
    pub s3: aws_sdk_s3::Client,
    /// Quick Setup.
    pub quicksetup: aws_sdk_ssmquicksetup::Client,
    /// STS (the account id patch policies need).
    pub sts: aws_sdk_sts::Client,
    /// IAM (Quick Setup's local deployment roles, checked and on request created).
    pub iam: aws_sdk_iam::Client,
    /// The region in use.
    pub region: String,
    /// How long a create without an idempotency token looks for what it may have made after an
    /// ambiguous outcome ([`AwsOptions::ambiguous_create_wait`]).
    pub ambiguous_create_wait: Duration,
}

impl Clients {
    /// Load the configuration (credential chain, profile, region, endpoint) and build clients.
    pub async fn load(opts: &AwsOptions, plan_region: Option<&str>) -> Clients {
        let retry = RetryConfig::adaptive().with_max_attempts(opts.max_attempts.unwrap_or(5));
        let mut loader =
            aws_config::defaults(BehaviorVersion::latest()).retry_config(retry).timeout_config(opts.timeouts());
        if let Some(p) = &opts.profile {
            loader = loader.profile_name(p);
        }
        if let Some(r) = opts.region.as_deref().or(plan_region) {
            loader = loader.region(aws_config::Region::new(r.to_string()));
        }
        if let Some(u) = &opts.endpoint_url {
            loader = loader.endpoint_url(u);
        }
        if let Some((id, secret)) = &opts.static_credentials {
            loader = loader.credentials_provider(aws_sdk_ssm::config::Credentials::new(
                id,
                secret,
                None,
                None,
                "ssmpatch-static",
            ));
        }
        let mut sdk = loader.load().await;
        if sdk.region().is_some_and(|r| r.as_ref().trim().is_empty()) {
            // An empty AWS_REGION (or profile `region =`) is no region: calls then fail with "no
            // region", not with an invalid host label.
            sdk = sdk.into_builder().region(None).build();
        }
        let custom_endpoint = opts.endpoint_url.is_some() || std::env::var_os("AWS_ENDPOINT_URL").is_some();
        let s3 = aws_sdk_s3::config::Builder::from(&sdk).force_path_style(custom_endpoint).build();
        Clients {
            ssm: aws_sdk_ssm::Client::new(&sdk),
            s3: aws_sdk_s3::Client::from_conf(s3),
            quicksetup: aws_sdk_ssmquicksetup::Client::new(&sdk),
            sts: aws_sdk_sts::Client::new(&sdk),
            iam: aws_sdk_iam::Client::new(&sdk),
            region: sdk.region().map(|r| r.to_string()).unwrap_or_else(|| "us-east-1".to_string()),
            ambiguous_create_wait: opts.ambiguous_create_wait.unwrap_or(DEFAULT_AMBIGUOUS_CREATE_WAIT),
        }
    }
}

/// Checks an endpoint URL the way the SDK will use it, before any call: `http://` or `https://`, a
/// host, an optional port 1-65535, an optional path; no user name, query or fragment. `Err` says
/// what is wrong, for an argument error.
pub fn check_endpoint_url(url: &str) -> Result<(), String> {
    let bad = |why: &str| {
        Err(format!(
            "`{}` is not an endpoint URL: {why} (write e.g. https://ssm.ap-northeast-1.amazonaws.com or \
             http://127.0.0.1:5000)",
            crate::input::echo(url)
        ))
    };
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return bad("it contains spaces or control characters");
    }
    let lower = url.to_ascii_lowercase();
    let Some(rest) = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://")) else {
        return bad("it must start with http:// or https://");
    };
    if rest.contains(['?', '#']) {
        return bad("it may not have a query or fragment");
    }
    let authority = rest.split('/').next().unwrap_or_default();
    if authority.contains('@') {
        return bad("it may not carry a user name or password");
    }
    let port = match authority.strip_prefix('[') {
        Some(v6) => {
            let Some((h, after)) = v6.split_once(']') else { return bad("the IPv6 address in brackets is not valid") };
            if h.is_empty() || !h.chars().all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.') {
                return bad("the IPv6 address in brackets is not valid");
            }
            match after {
                "" => None,
                p => match p.strip_prefix(':') {
                    Some(p) => Some(p),
                    None => return bad("the IPv6 address in brackets is not valid"),
                },
            }
        }
        None => {
            let (h, p) = match authority.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (authority, None),
            };
            if h.is_empty() {
                return bad("it has no host");
            }
            let label = |l: &str| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !h.split('.').all(label) {
                return bad("the host is not a valid host name or address");
            }
            p
        }
    };
    if let Some(p) = port
        && !(p.chars().all(|c| c.is_ascii_digit()) && p.parse::<u32>().is_ok_and(|n| (1..=65535).contains(&n)))
    {
        return bad("the port must be a number from 1 to 65535");
    }
    Ok(())
}

/// Checks a Region name: lowercase letters and digits in at least three parts joined by `-`, the
/// last a number (`ap-northeast-1`, `us-gov-west-1`, `cn-north-1`) — the same rule as a plan's
/// `region`. `Err` says what is wrong, for an argument error.
pub fn check_region(region: &str) -> Result<(), String> {
    if region.is_empty() {
        return Err("no region: the region is empty (set `region` in the plan, --region or AWS_REGION)".into());
    }
    if crate::plan::valid_region(region) {
        Ok(())
    } else {
        Err(format!("`{}` is not an AWS Region name (write e.g. ap-northeast-1)", crate::input::echo(region)))
    }
}

/// Checks a timeout given in seconds (Python's float keywords): more than zero and at most
/// [`TIMEOUT_SECONDS_RANGE`]'s end. `Err` says what is wrong.
pub fn timeout_from_seconds(name: &str, seconds: f64) -> Result<Duration, String> {
    let max = *TIMEOUT_SECONDS_RANGE.end() as f64;
    if seconds.is_finite() && seconds > 0.0 && seconds <= max {
        Ok(Duration::from_secs_f64(seconds))
    } else {
        Err(format!("{name} must be more than 0 and at most {max} seconds, not {seconds}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_urls_are_checked_before_any_call() {
        for good in [
            "http://127.0.0.1:5000",
            "https://ssm.ap-northeast-1.amazonaws.com",
            "http://localhost:4566/",
            "https://vpce-1.ssm.us-east-1.vpce.amazonaws.com/prefix",
            "http://[::1]:8080",
            "HTTP://Example.com",
        ] {
            assert_eq!(check_endpoint_url(good), Ok(()), "{good}");
        }
        for (bad, why) in [
            ("not a url", "spaces"),
            ("ftp://x", "http:// or https://"),
            ("127.0.0.1:5000", "http:// or https://"),
            ("http://127.0.0.1:99999", "port"),
            ("http://127.0.0.1:0", "port"),
            ("http://127.0.0.1:", "port"),
            ("http://host:8x", "port"),
            ("http://", "no host"),
            ("http://:80", "no host"),
            ("http://a..b", "host"),
            ("http://u:p@host", "user name"),
            ("http://host/?q=1", "query"),
            ("http://[zz]:1", "IPv6"),
        ] {
            let e = check_endpoint_url(bad).expect_err(bad);
            assert!(e.contains(why), "{bad}: {e}");
        }
        // What is echoed is escaped and clipped.
        let e = check_endpoint_url(&format!("http://a\u{1b}[2J{}", "x".repeat(10_000))).expect_err("control");
        assert!(!e.contains('\u{1b}') && e.contains("\\u{1b}") && e.len() < 600, "{e}");
    }

    #[test]
    fn regions_are_checked_like_a_plans_region() {
        for good in ["ap-northeast-1", "us-gov-west-1", "cn-north-1", "eu-isoe-west-1"] {
            assert_eq!(check_region(good), Ok(()));
        }
        assert!(check_region("").expect_err("empty").starts_with("no region"));
        for bad in ["us-east", "US-EAST-1", "us_east_1", "us--east-1", "ap-northeast-1 "] {
            assert!(check_region(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn timeouts_default_and_are_bounded() {
        let t = AwsOptions::default().timeouts();
        assert_eq!(t.connect_timeout(), Some(DEFAULT_CONNECT_TIMEOUT));
        assert_eq!(t.operation_attempt_timeout(), Some(DEFAULT_ATTEMPT_TIMEOUT));
        assert_eq!(t.operation_timeout(), Some(DEFAULT_OPERATION_TIMEOUT));
        let o = AwsOptions { operation_timeout: Some(Duration::from_secs(2)), ..AwsOptions::default() };
        assert_eq!(o.timeouts().operation_timeout(), Some(Duration::from_secs(2)));
        assert_eq!(timeout_from_seconds("t", 0.5), Ok(Duration::from_millis(500)));
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, 3600.5] {
            assert!(timeout_from_seconds("t", bad).is_err(), "{bad}");
        }
    }
}
