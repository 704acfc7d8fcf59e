//! AWS configuration the way AWS tools do it: the standard credential chain and profiles,
//! `--region`, `--profile`, `--endpoint-url` / `AWS_ENDPOINT_URL`, and the SDK's adaptive retries.

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;

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
}

impl Clients {
    /// Load the configuration (credential chain, profile, region, endpoint) and build clients.
    pub async fn load(opts: &AwsOptions, plan_region: Option<&str>) -> Clients {
        let retry = RetryConfig::adaptive().with_max_attempts(opts.max_attempts.unwrap_or(5));
        let mut loader = aws_config::defaults(BehaviorVersion::latest()).retry_config(retry);
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
        let sdk = loader.load().await;
        let custom_endpoint = opts.endpoint_url.is_some() || std::env::var_os("AWS_ENDPOINT_URL").is_some();
        let s3 = aws_sdk_s3::config::Builder::from(&sdk).force_path_style(custom_endpoint).build();
        Clients {
            ssm: aws_sdk_ssm::Client::new(&sdk),
            s3: aws_sdk_s3::Client::from_conf(s3),
            quicksetup: aws_sdk_ssmquicksetup::Client::new(&sdk),
            sts: aws_sdk_sts::Client::new(&sdk),
            iam: aws_sdk_iam::Client::new(&sdk),
            region: sdk.region().map(|r| r.to_string()).unwrap_or_else(|| "us-east-1".to_string()),
        }
    }
}
