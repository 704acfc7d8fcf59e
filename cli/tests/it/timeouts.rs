//! Every AWS call has a time limit: an endpoint that accepts the connection and never answers
//! (a listener in the test itself, on 127.0.0.1) ends `plan` with exit 3 and a message naming
//! the operation and the limit — before, `plan` waited forever. And what a person reads when AWS
//! cannot be reached at all: no credentials, no region, a refused connection, a malformed
//! endpoint URL (refused when the arguments are read), AWS's error code and request id.
//!
//! Outcomes only: no assertion on elapsed time.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use ssmpatch_test_support::standin::StandIn;

use crate::util::{self, text};

const PLAN: &str = "examples/seed-placed.toml";

/// A listener that accepts every connection, keeps it open and never writes a byte.
struct Silent {
    url: String,
    accepted: Arc<AtomicUsize>,
}

impl Silent {
    fn start() -> Silent {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let accepted = Arc::new(AtomicUsize::new(0));
        let count = accepted.clone();
        std::thread::spawn(move || {
            let mut held: Vec<TcpStream> = Vec::new();
            for conn in listener.incoming().flatten() {
                count.fetch_add(1, Ordering::SeqCst);
                held.push(conn);
            }
        });
        Silent { url, accepted }
    }
}

/// A directory of its own for the test's AWS config files (none exist there).
fn no_aws_files(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ssmpatch-cli-timeouts-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// `ssmpatch ARGS` with test credentials (unless `credentials` is false), no profile, no AWS
/// config files and no instance metadata.
fn aws_cmd(name: &str, args: &[&str], credentials: bool) -> Command {
    let mut c = util::ssmpatch(args);
    let dir = no_aws_files(name);
    c.env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", dir.join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("credentials"))
        .env("HOME", &dir)
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_WEB_IDENTITY_TOKEN_FILE")
        .env_remove("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
        .env_remove("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    if credentials {
        c.env("AWS_ACCESS_KEY_ID", "testing").env("AWS_SECRET_ACCESS_KEY", "testing");
    } else {
        c.env_remove("AWS_ACCESS_KEY_ID").env_remove("AWS_SECRET_ACCESS_KEY");
    }
    c
}

fn run(name: &str, args: &[&str], credentials: bool) -> Output {
    aws_cmd(name, args, credentials).output().expect("run ssmpatch")
}

/// The one `error: SERVICE OPERATION failed: MESSAGE` line; (service, operation, message).
fn aws_failure(out: &Output) -> (String, String, String) {
    let stderr = text(&out.stderr);
    let line = stderr.lines().find_map(|l| l.strip_prefix("error: ")).unwrap_or_else(|| panic!("no error: {stderr}"));
    let (call, message) = line.split_once(" failed: ").unwrap_or_else(|| panic!("not an AWS failure: {stderr}"));
    let (service, operation) = call.split_once(' ').unwrap_or_else(|| panic!("no operation: {stderr}"));
    (service.to_string(), operation.to_string(), message.to_string())
}

fn assert_names_a_call(service: &str, operation: &str) {
    assert!(["ssm", "s3", "sts", "iam", "ssm-quicksetup"].contains(&service), "service {service}");
    assert!(
        operation.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            && operation.chars().all(char::is_alphanumeric),
        "operation {operation}"
    );
}

#[test]
fn plan_against_an_endpoint_that_never_answers_fails_at_the_operation_timeout() {
    let silent = Silent::start();
    let out = run("op", &["plan", PLAN, "--endpoint-url", &silent.url, "--operation-timeout", "2"], true);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let (service, operation, message) = aws_failure(&out);
    assert_names_a_call(&service, &operation);
    assert!(
        message.starts_with("timed out: no answer within 2s (the limit for the whole call with its retries"),
        "{message}"
    );
    assert!(message.contains("--operation-timeout"), "{message}");
    // The hint is about slowness, not about region and credentials.
    let stderr = text(&out.stderr);
    assert!(stderr.contains("hint: AWS or the network answered too slowly"), "{stderr}");
    assert!(!stderr.contains("check the region, credentials"), "{stderr}");
    assert!(silent.accepted.load(Ordering::SeqCst) >= 1, "the call reached the listener");
}

#[test]
fn an_attempt_that_gets_no_answer_is_retried_then_fails_naming_the_attempt_limit() {
    let silent = Silent::start();
    let out = run(
        "attempt",
        &["plan", PLAN, "--endpoint-url", &silent.url, "--attempt-timeout", "1", "--operation-timeout", "3600"],
        true,
    );
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let (service, operation, message) = aws_failure(&out);
    assert_names_a_call(&service, &operation);
    assert!(message.starts_with("timed out: the last attempt got no answer within 1s"), "{message}");
    assert!(message.contains("--attempt-timeout"), "{message}");
    assert!(silent.accepted.load(Ordering::SeqCst) >= 2, "a timed-out attempt is retried");
}

#[test]
fn timeouts_out_of_range_are_refused_when_the_arguments_are_read() {
    for (flag, value) in [("--connect-timeout", "0"), ("--attempt-timeout", "3601"), ("--operation-timeout", "x")] {
        let out = run("range", &["plan", PLAN, "--endpoint-url", "http://127.0.0.1:9", flag, value], true);
        assert_eq!(out.status.code(), Some(2), "{flag} {value}: {}", text(&out.stderr));
        assert!(text(&out.stderr).contains(flag), "{}", text(&out.stderr));
    }
}

#[test]
fn no_credentials_is_said_in_words_with_how_to_provide_them() {
    let silent = Silent::start();
    let out = run("nocreds", &["plan", PLAN, "--endpoint-url", &silent.url], false);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let (_, _, message) = aws_failure(&out);
    assert!(
        message.starts_with("no AWS credentials found (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"),
        "{message}"
    );
    assert!(message.contains("--profile") && message.contains("aws sso login"), "{message}");
    let stderr = text(&out.stderr);
    assert!(!stderr.contains("DispatchFailure") && !stderr.contains("{ "), "no debug dump: {stderr}");
    assert_eq!(silent.accepted.load(Ordering::SeqCst), 0, "nothing is sent without credentials");
}

#[test]
fn a_refused_connection_is_said_in_words() {
    let port = TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("address").port();
    let url = format!("http://127.0.0.1:{port}"); // the listener is gone: nothing listens there
    let out = run("refused", &["plan", PLAN, "--endpoint-url", &url], true);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let (_, _, message) = aws_failure(&out);
    assert!(message.starts_with("could not connect to the endpoint: the connection was refused"), "{message}");
    assert!(!text(&out.stderr).contains("DispatchFailure"), "{}", text(&out.stderr));
}

#[test]
fn a_malformed_endpoint_url_is_refused_when_the_arguments_are_read() {
    for (url, why) in [
        ("not a url", "spaces"),
        ("ftp://x", "must start with http:// or https://"),
        ("http://127.0.0.1:99999", "the port must be a number from 1 to 65535"),
        ("127.0.0.1:5000", "must start with http:// or https://"),
    ] {
        let out = run("url", &["plan", PLAN, "--endpoint-url", url], true);
        assert_eq!(out.status.code(), Some(2), "{url}: {}", text(&out.stderr));
        let stderr = text(&out.stderr);
        assert!(stderr.contains("is not an endpoint URL") && stderr.contains(why), "{url}: {stderr}");
        // The same check for the environment variable.
        let out = aws_cmd("url-env", &["plan", PLAN], true).env("AWS_ENDPOINT_URL", url).output().expect("run");
        assert_eq!(out.status.code(), Some(2), "AWS_ENDPOINT_URL={url}: {}", text(&out.stderr));
    }
}

#[test]
fn an_empty_or_malformed_region_is_refused_when_the_arguments_are_read() {
    let out = run("region", &["plan", PLAN, "--region", ""], true);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("no region"), "{}", text(&out.stderr));
    let out = run("region", &["plan", PLAN, "--region", "Tokyo"], true);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("`Tokyo` is not an AWS Region name"), "{}", text(&out.stderr));
}

#[test]
fn no_region_anywhere_is_said_in_words() {
    let dir = no_aws_files("noregion");
    let plan = dir.join("no-region.toml");
    let source = std::fs::read_to_string(ssmpatch_test_support::standin::root().join(PLAN)).expect("plan");
    std::fs::write(&plan, source.lines().filter(|l| !l.starts_with("region")).collect::<Vec<_>>().join("\n"))
        .expect("write plan");
    let plan = plan.to_string_lossy().into_owned();
    let silent = Silent::start();
    for region_env in [None, Some("")] {
        let mut c = aws_cmd("noregion", &["plan", &plan, "--endpoint-url", &silent.url], true);
        if let Some(r) = region_env {
            c.env("AWS_REGION", r);
        }
        let out = c.output().expect("run");
        assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
        let (_, _, message) = aws_failure(&out);
        assert_eq!(
            message, "no region (set `region` in the plan, --region or AWS_REGION)",
            "AWS_REGION={region_env:?}"
        );
    }
}

#[test]
#[ignore = "needs the local AWS stand-in (scripts/test.sh runs it)"]
fn an_aws_error_shows_its_code_and_request_id_as_such() {
    let si = StandIn::start(); // no bucket: S3 answers NoSuchBucket
    let out = util::live(&si, &["plan", PLAN]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let (service, operation, message) = aws_failure(&out);
    assert_eq!((service.as_str(), operation.as_str()), ("s3", "ListObjectsV2"), "{message}");
    assert!(message.starts_with("The specified bucket does not exist"), "{message}");
    assert!(message.contains("AWS error code NoSuchBucket") && message.contains("request id "), "{message}");
    assert!(!message.contains("NoSuchBucket: "), "the code is labelled, not run into the message: {message}");
}

#[test]
fn a_region_that_overrides_the_plans_is_said() {
    let silent = Silent::start();
    let out = run(
        "override",
        &["plan", PLAN, "--endpoint-url", &silent.url, "--region", "us-west-2", "--operation-timeout", "1"],
        true,
    );
    let stderr = text(&out.stderr);
    assert!(stderr.contains("note: --region us-west-2 overrides the plan's region ap-northeast-1"), "{stderr}");
    // The same Region as the plan's: nothing to say.
    let out = run(
        "same",
        &["plan", PLAN, "--endpoint-url", &silent.url, "--region", "ap-northeast-1", "--operation-timeout", "1"],
        true,
    );
    assert!(!text(&out.stderr).contains("overrides"), "{}", text(&out.stderr));
}
