//! The local AWS stand-in (moto server + `standin/ssmpatch_standin`), started once per test on a
//! free port of 127.0.0.1, and its control API (`/_ssmpatch/...`): reset, call log, faults,
//! settings, simulated nodes, running a window or an association now.
//!
//! The interpreter is `$SSMPATCH_STANDIN_PYTHON`, else `$SSMPATCH_VENV/bin/python`, else the
//! repository's `.venv/bin/python` (`scripts/setup.sh` makes it). The stand-in's log goes to a
//! file in the temporary directory (a pipe nobody reads fills up and blocks the server); a
//! failed start prints it.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The region the stand-in's tests use unless they say otherwise.
pub const REGION: &str = "us-east-1";

/// A running stand-in; stopped when dropped.
#[derive(Debug)]
pub struct StandIn {
    child: Child,
    url: String,
    log: PathBuf,
}

impl Drop for StandIn {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

/// The repository's root.
pub fn root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// The Python interpreter with the stand-in's dependencies (and boto3).
pub fn python() -> PathBuf {
    std::env::var_os("SSMPATCH_STANDIN_PYTHON")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("SSMPATCH_VENV").map(|v| PathBuf::from(v).join("bin/python")))
        .unwrap_or_else(|| root().join(".venv/bin/python"))
}

impl StandIn {
    /// Starts a stand-in and waits (up to 30 s) until it answers.
    pub fn start() -> StandIn {
        let python = python();
        let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port");
        let log = std::env::temp_dir().join(format!("ssmpatch-standin-{port}.log"));
        let err = std::fs::File::create(&log).expect("stand-in log file");
        let child = Command::new(&python)
            .args(["-m", "ssmpatch_standin", "--port", &port.to_string()])
            .env("PYTHONPATH", root().join("standin"))
            .stdout(Stdio::null())
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start the stand-in with {} ({e}); run scripts/setup.sh", python.display())
            });
        let mut si = StandIn { child, url: format!("http://127.0.0.1:{port}"), log };
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if http("GET", &format!("{}/_ssmpatch/health", si.url), None).is_ok() {
                return si;
            }
            if let Ok(Some(status)) = si.child.try_wait() {
                panic!("the stand-in exited ({status}): {}", std::fs::read_to_string(&si.log).unwrap_or_default());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("the stand-in did not answer within 30 s: {}", std::fs::read_to_string(&si.log).unwrap_or_default());
    }

    /// Its endpoint, for every service (`AWS_ENDPOINT_URL`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A control call: `method` `/_ssmpatch/<path>` with a JSON body; its JSON answer (`Null`
    /// when empty). Panics with the answer when the stand-in refuses.
    pub fn control(&self, method: &str, path: &str, body: Option<&Value>) -> Value {
        let body = body.map(Value::to_string);
        let text = http(method, &format!("{}/_ssmpatch/{path}", self.url), body.as_deref())
            .unwrap_or_else(|e| panic!("control {method} {path}: {e}"));
        serde_json::from_str(text.trim()).unwrap_or(Value::Null)
    }

    /// Forgets everything: resources, call log, faults, settings, quotas.
    pub fn reset(&self) {
        self.control("POST", "reset", None);
    }

    /// The call log: one object per AWS request (`service`, `operation`, `name`, `write`,
    /// `region`, `params`).
    pub fn calls(&self) -> Vec<Value> {
        self.control("GET", "calls", None).as_array().cloned().unwrap_or_default()
    }

    /// Empties the call log.
    pub fn clear_calls(&self) {
        self.control("DELETE", "calls", None);
    }

    /// The operations of the logged calls that change something (S3 in its HTTP form).
    pub fn writes(&self) -> Vec<String> {
        self.calls()
            .iter()
            .filter(|c| c["write"].as_bool().unwrap_or(true))
            .filter_map(|c| c["operation"].as_str().map(str::to_string))
            .filter(|op| !op.starts_with("GET ") && !op.starts_with("HEAD "))
            .collect()
    }

    /// Replaces the fault rules (see `standin/README.md`), e.g.
    /// `{"seed": 1, "rules": [{"operation": "CreateAssociation", "kind": "throttle", "rate": 0.2}]}`.
    pub fn set_faults(&self, rules: &Value) {
        self.control("POST", "faults", Some(rules));
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        self.control("DELETE", "faults", None);
    }

    /// Changes settings (`reject_invalid`, `quotas`, …); answers all of them.
    pub fn settings(&self, settings: &Value) -> Value {
        self.control("POST", "settings", Some(settings))
    }

    /// Registers simulated managed nodes (`{"region": …, "nodes": [...]}`); answers them.
    pub fn seed_nodes(&self, body: &Value) -> Value {
        self.control("POST", "nodes", Some(body))
    }

    /// Gives the instance-profile role of every simulated node in `region` `policy` (an IAM
    /// policy document, e.g. what `ssmpatch iam-policy PLAN --node` prints) beside
    /// AmazonSSMManagedInstanceCore. Without it a node can read no override from S3 and write no
    /// output there (the stand-in, as AWS).
    pub fn grant_nodes(&self, region: &str, policy: &Value) -> Value {
        self.control("POST", "node-roles", Some(&serde_json::json!({"policy": policy, "region": region})))
    }

    /// AWS requests that broke botocore's model (a non-empty list fails a test).
    pub fn violations(&self) -> Vec<Value> {
        self.control("GET", "violations", None).as_array().cloned().unwrap_or_default()
    }

    /// Points `command` (the CLI, boto3…) at the stand-in: its endpoint for every service, the
    /// test credentials, no profile and no instance metadata.
    pub fn aws_env<'c>(&self, command: &'c mut Command) -> &'c mut Command {
        command
            .env("AWS_ENDPOINT_URL", &self.url)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env_remove("AWS_PROFILE")
    }

    /// A Python command running `script` with boto3 pointed at the stand-in, for checks made
    /// independently of the Rust SDK.
    pub fn boto3(&self, script: &str) -> Command {
        let mut c = Command::new(python());
        c.args(["-c", script]);
        self.aws_env(&mut c);
        c
    }

    /// Runs `script` with boto3 (see [`StandIn::boto3`]) and parses what it prints as JSON;
    /// panics with the script's stderr when it fails.
    pub fn boto3_json(&self, script: &str) -> Value {
        let out = self.boto3(script).output().expect("run python");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "boto3 script failed: {}\n{script}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("boto3 script printed no JSON ({e}): {stdout}"))
    }

    /// Creates Quick Setup's local deployment roles (`AWS-QuickSetup-PatchPolicy-Local…Role`), as
    /// an administrator does once per account before the first patch policy: without them every
    /// patch-policy deployment fails (the stand-in, as AWS).
    pub fn create_quick_setup_roles(&self) {
        self.control("POST", "quick-setup-roles", Some(&serde_json::json!({})));
    }

    /// Creates an S3 bucket in `region` (with boto3).
    pub fn create_bucket(&self, bucket: &str, region: &str) {
        let config = if region == "us-east-1" {
            String::new()
        } else {
            format!(", CreateBucketConfiguration={{'LocationConstraint': '{region}'}}")
        };
        let script = format!(
            "import boto3; boto3.client('s3', region_name='{region}').create_bucket(Bucket='{bucket}'{config})"
        );
        let out = self.boto3(&script).output().expect("run python");
        assert!(out.status.success(), "create bucket {bucket}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

/// A simulated Amazon Linux 2023 node (`POST /_ssmpatch/nodes`) with `tags`, openssl 3.0.7
/// installed and 3.0.8 available (a Critical Security update released 2026-01-01); with
/// `failing_install` it carries CVE-2026-0001 and its install fails.
pub fn openssl_node(id: &str, tags: Value, failing_install: bool) -> Value {
    let mut available = serde_json::json!({"Name": "openssl", "Arch": "x86_64", "Version": "3.0.8",
        "Release": "1.amzn2023", "Epoch": "1", "Classification": "Security", "Severity": "Critical",
        "ReleaseDate": "2026-01-01T00:00:00Z"});
    if failing_install {
        available["CVEIds"] = serde_json::json!(["CVE-2026-0001"]);
        available["FailInstall"] = serde_json::json!(true);
    }
    serde_json::json!({"InstanceId": id, "OperatingSystem": "AMAZON_LINUX_2023", "Tags": tags,
        "Installed": [{"Name": "openssl", "Arch": "x86_64", "Version": "3.0.7", "Release": "1.amzn2023", "Epoch": "1"}],
        "Available": [available]})
}

/// A tiny HTTP/1.1 client for the control API (no HTTP dependency): the body of a 2xx answer.
fn http(method: &str, url: &str, body: Option<&str>) -> std::io::Result<String> {
    let rest = url.strip_prefix("http://").unwrap_or(url);
    let (host, path) = rest.split_once('/').map(|(h, p)| (h, format!("/{p}"))).unwrap_or((rest, "/".into()));
    let mut s = TcpStream::connect(host)?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    let body = body.unwrap_or("");
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut out = String::new();
    s.read_to_string(&mut out)?;
    if !out.starts_with("HTTP/1.1 2") && !out.starts_with("HTTP/1.0 2") {
        return Err(std::io::Error::other(out));
    }
    Ok(out.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default())
}
