//! One apply or destroy at a time per plan: a lease in AWS Systems Manager Parameter Store.
//!
//! Two applies of the same plan at once both read the live state, both find nothing and both
//! create everything. `apply` and `destroy` therefore take the plan's lease before they read the
//! live state and give it back when they end; `plan` (read-only) takes none.
//!
//! - **Where**: one Standard parameter per plan, [`parameter_name`] — `/lease/ssmpatch/<plan>`.
//!   (Not `/ssmpatch/…`: "A parameter name cannot be prefixed with "aws" or "ssm"
//!   (case-insensitive)", which AWS applies to the first path segment too — `SSM-testparameter`
//!   and `/aws/testparam1` are its examples of names that fail; Systems Manager user guide,
//!   "Requirements and constraints for parameter names".) Its value is a small JSON object: who
//!   holds it (`owner`, `host`, `pid`, `command`), since when and until when (`acquired`,
//!   `expires`, RFC 3339) and a `token` drawn at random by the holding process.
//! - **Acquire**: `PutParameter` with `Overwrite=false` creates the parameter only when it does not
//!   exist — "ParameterAlreadyExists: The parameter already exists. To overwrite this value, set
//!   the overwrite option in the request to true" (API reference, PutParameter, Errors) — so of two
//!   applies that start at once exactly one creates it. The other reads it: unexpired, it stops
//!   with [`Error::Locked`] naming the holder and its age.
//! - **Takeover**: a lease whose `expires` has passed (its holder was killed) is taken over by
//!   compare-and-swap on the parameter's version: "When you initially create a parameter,
//!   Parameter Store assigns version 1 to that parameter. When you change the value of the
//!   parameter, Parameter Store automatically increments the version number by one" (user guide,
//!   "Working with parameter versions in Parameter Store"), and `PutParameter` answers "The new
//!   version number of a parameter" (API reference, PutParameter, Response `Version`). Having read
//!   version `v` expired, an apply overwrites it and owns the lease only when the answer is
//!   `v + 1`: of two that read `v` at once, only the first write gets `v + 1`.
//! - **Renewal**: while held, a background task writes a later `expires` every third of the TTL.
//!   A renewal answered with the next version keeps the lease; so does one answered with a later
//!   version *before the lease's expiry* (no other apply can take over an unexpired lease, so the
//!   writes in between were takeover attempts that lost, or the SDK retrying our own write after
//!   an error); anything else means the lease was lost ([`Lease::lost`]).
//! - **Release**: at the end (success or failure) the holder reads the parameter and deletes it
//!   if it is still its own. Between that read and the delete another apply cannot take the
//!   lease over unless it expires in that instant (a race of one round trip, left open: Parameter
//!   Store has no conditional delete). A lease dropped without [`Lease::release`] is released in
//!   the background when a Tokio runtime is running, else it expires.
//! - **TTL**: [`DEFAULT_LEASE_TTL`], 10 minutes. AWS documents nothing that bounds how long an
//!   apply may stall between two renewals; the TTL is how long a killed apply keeps others out, and
//!   a setting (`--lease-ttl`, `SessionOptions::lease_ttl`, Python `lease_ttl=`). The expiry is
//!   judged by the clocks of the machines running ssmpatch: they must agree to within a small part
//!   of the TTL.
//!
//! The caller needs `ssm:PutParameter`, `ssm:GetParameter` and `ssm:DeleteParameter` on the
//! parameter ([`lease_resource`]) for `apply` and `destroy`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_ssm::types::{ParameterTier, ParameterType};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

#[cfg(test)]
use crate::error::span;
use crate::error::{Error, aws};

/// How long a lease lasts without renewal unless set otherwise: what a killed apply costs the next
/// one. AWS is silent on how long an apply may stall; 10 minutes outlasts the per-call operation
/// timeout (3 minutes) several times over.
pub const DEFAULT_LEASE_TTL: Duration = Duration::from_secs(600);
/// The TTLs adapters accept, in whole seconds: at least 5 (renewals every third of it must have
/// time to answer), at most a day.
pub const LEASE_TTL_SECONDS_RANGE: std::ops::RangeInclusive<u64> = 5..=86_400;
/// The parameters' path: not `/ssmpatch/` — names prefixed with `ssm` are refused (module docs).
pub const LEASE_PARAMETER_PREFIX: &str = "/lease/ssmpatch/";

/// "The maximum length for the fully qualified parameter name you specify is 1011 characters"
/// (user guide, parameter name constraints); the ARN before the name counts toward it ("the
/// following 45 characters count toward the 1011 character maximum for a parameter created in
/// the US East (Ohio) Region: arn:aws:ssm:us-east-2:111122223333:parameter/", API reference,
/// PutParameter, Name). A Region and partition longer than Ohio's are allowed for.
const NAME_LIMIT: usize = 1011 - 80;

/// Which command holds a lease.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeaseCommand {
    /// `apply`.
    Apply,
    /// `destroy`.
    Destroy,
}

impl LeaseCommand {
    /// `apply` or `destroy`.
    pub fn as_str(self) -> &'static str {
        match self {
            LeaseCommand::Apply => "apply",
            LeaseCommand::Destroy => "destroy",
        }
    }
}

/// The parameter holding `plan`'s lease. Plan names are 3-128 letters, digits, `_`, `-` and `.`
/// (validated with the plan); a name Parameter Store would refuse is an input error here, before
/// any call: "Parameter names can consist of the following symbols and letters only:
/// a-zA-Z0-9_.-", "/" separates the hierarchy, at most fifteen levels, at most 1011 characters.
pub fn parameter_name(plan: &str) -> Result<String, Error> {
    let fits = !plan.is_empty()
        && plan.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        && LEASE_PARAMETER_PREFIX.len() + plan.len() <= NAME_LIMIT;
    if !fits {
        return Err(Error::input(
            format!("plan name `{}` cannot name its lease parameter in Parameter Store", crate::input::echo(plan)),
            Some(format!(
                "a lease parameter is {LEASE_PARAMETER_PREFIX}<plan>: plan names of letters, digits, `_`, `-` and `.` \
                 fit (at most {} characters)",
                NAME_LIMIT - LEASE_PARAMETER_PREFIX.len()
            )),
        ));
    }
    Ok(format!("{LEASE_PARAMETER_PREFIX}{plan}"))
}

/// The ARN of `plan`'s lease parameter: `arn:<partition>:ssm:<region>:<account>:parameter/lease/ssmpatch/<plan>`
/// (a parameter ARN names the parameter without its leading `/`; `region` and `account` may be `*`).
pub fn lease_resource(partition: &str, region: &str, account: &str, plan: &str) -> String {
    format!("arn:{partition}:ssm:{region}:{account}:parameter{LEASE_PARAMETER_PREFIX}{plan}")
}

/// The IAM statement `apply` and `destroy` need for the lease (see [`lease_resource`]).
pub fn lease_statement(partition: &str, region: &str, account: &str, plan: &str) -> serde_json::Value {
    serde_json::json!({
        "Sid": "PlanLease", "Effect": "Allow",
        "Action": ["ssm:PutParameter", "ssm:GetParameter", "ssm:DeleteParameter"],
        "Resource": lease_resource(partition, region, account, plan),
    })
}

/// The parameter's value.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Record {
    owner: String,
    host: String,
    pid: u32,
    command: String,
    acquired: String,
    expires: String,
    token: String,
    /// On a takeover: the version of the expired lease it overwrote.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    takeover_of: Option<i64>,
}

impl Record {
    fn holder(&self) -> String {
        format!("{} on {} (pid {}, {})", self.owner, self.host, self.pid, self.command)
    }

    fn acquired(&self) -> Option<Timestamp> {
        self.acquired.parse().ok()
    }

    fn expires(&self) -> Option<Timestamp> {
        self.expires.parse().ok()
    }
}

/// Who this process is, and its random token.
#[derive(Debug, Clone)]
struct Identity {
    owner: String,
    host: String,
    pid: u32,
    command: LeaseCommand,
    token: String,
}

impl Identity {
    fn new(command: LeaseCommand) -> Identity {
        let owner = ["USER", "USERNAME", "LOGNAME"]
            .iter()
            .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
            .unwrap_or_else(|| "unknown".into());
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .or_else(|| ["HOSTNAME", "COMPUTERNAME"].iter().find_map(|v| std::env::var(v).ok()))
            .unwrap_or_else(|| "unknown".into());
        Identity { owner: clip(&owner), host: clip(&host), pid: std::process::id(), command, token: token() }
    }

    fn record(&self, acquired: Timestamp, expires: Timestamp, takeover_of: Option<i64>) -> Record {
        Record {
            owner: self.owner.clone(),
            host: self.host.clone(),
            pid: self.pid,
            command: self.command.as_str().to_string(),
            acquired: acquired.to_string(),
            expires: expires.to_string(),
            token: self.token.clone(),
            takeover_of,
        }
    }
}

/// A name kept short enough for the 4 KB value (Standard tier).
fn clip(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).take(200).collect()
}

/// 128 random-enough bits: the process id, the time, the address of a local and std's per-process
/// random hash keys, hashed. (Unique per process, not secret.)
fn token() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u32(std::process::id());
    let seeded = h.finish();
    let local = 0u8;
    let mut d = Sha256::new();
    d.update(seeded.to_le_bytes());
    d.update(std::process::id().to_le_bytes());
    d.update(Timestamp::now().as_nanosecond().to_le_bytes());
    d.update((&raw const local as usize).to_le_bytes());
    hex::encode(&d.finalize()[..16])
}

fn after(t: Timestamp, ttl: Duration) -> Timestamp {
    let ttl = jiff::SignedDuration::try_from(ttl).unwrap_or(jiff::SignedDuration::from_secs(600));
    t.checked_add(ttl).unwrap_or(Timestamp::MAX)
}

/// What the holder of an unexpired lease looks like in [`Error::Locked`].
fn locked(plan: &str, parameter: &str, current: &Record, race: bool) -> Error {
    let now = Timestamp::now();
    Error::Locked {
        plan: plan.to_string(),
        parameter: parameter.to_string(),
        holder: current.holder(),
        acquired: current.acquired().unwrap_or(now),
        expires: current.expires().unwrap_or(now),
        race,
    }
}

async fn put(ssm: &aws_sdk_ssm::Client, name: &str, record: &Record, overwrite: bool) -> Result<i64, Error> {
    let value = serde_json::to_string(record).map_err(|e| Error::Internal(format!("lease record: {e}")))?;
    let mut call = ssm.put_parameter().name(name).value(value).overwrite(overwrite).tier(ParameterTier::Standard);
    if !overwrite {
        call = call
            .r#type(ParameterType::String)
            .description("ssmpatch: the apply or destroy of this plan now running (deleted when it ends)");
    }
    let out = call.send().await.map_err(|e| aws("ssm", "PutParameter", e))?;
    Ok(out.version())
}

/// An overwrite sent once, without the SDK's retries (a takeover: see [`Lease::acquire`]).
async fn put_once(ssm: &aws_sdk_ssm::Client, name: &str, record: &Record) -> Result<i64, Error> {
    let value = serde_json::to_string(record).map_err(|e| Error::Internal(format!("lease record: {e}")))?;
    let out = ssm
        .put_parameter()
        .name(name)
        .value(value)
        .overwrite(true)
        .tier(ParameterTier::Standard)
        .customize()
        .config_override(
            aws_sdk_ssm::config::Config::builder().retry_config(aws_sdk_ssm::config::retry::RetryConfig::disabled()),
        )
        .send()
        .await
        .map_err(|e| aws("ssm", "PutParameter", e))?;
    Ok(out.version())
}

/// The lease parameter's record and version; `None` when it does not exist.
async fn read(ssm: &aws_sdk_ssm::Client, name: &str) -> Result<Option<(Record, i64)>, Error> {
    let out = match ssm.get_parameter().name(name).send().await {
        Ok(o) => o,
        Err(e) => {
            let e = aws("ssm", "GetParameter", e);
            return if e.is_code("ParameterNotFound") { Ok(None) } else { Err(e) };
        }
    };
    let Some(p) = out.parameter() else { return Ok(None) };
    let value = p.value().unwrap_or_default();
    let record: Record = serde_json::from_str(value).map_err(|_| {
        Error::Foreign(format!(
            "parameter {name} exists but does not hold an ssmpatch lease (its value is not a lease record), so \
             ssmpatch cannot tell whether another apply of this plan is running"
        ))
    })?;
    Ok(Some((record, p.version())))
}

/// The state a lease's renewals and its release share.
#[derive(Debug)]
struct Held {
    /// The version of our last confirmed write.
    version: i64,
    /// When our last confirmed write expires.
    expires: Timestamp,
    acquired: Timestamp,
    released: bool,
}

#[derive(Debug)]
struct Shared {
    ssm: aws_sdk_ssm::Client,
    plan: String,
    name: String,
    ttl: Duration,
    me: Identity,
    held: tokio::sync::Mutex<Held>,
    lost: Mutex<Option<String>>,
    /// When our last confirmed write expires, readable without waiting for a renewal in flight:
    /// past it (less a margin for clocks), another apply may have taken the lease over, whether
    /// or not the renewal task has noticed yet.
    confirmed: Mutex<Timestamp>,
}

impl Shared {
    fn lose(&self, why: String) {
        if let Ok(mut l) = self.lost.lock() {
            l.get_or_insert(why);
        }
    }

    fn lost(&self) -> Option<String> {
        if let Some(why) = self.lost.lock().ok().and_then(|l| l.clone()) {
            return Some(why);
        }
        let expires = self.confirmed.lock().ok().map(|e| *e)?;
        let margin = jiff::SignedDuration::try_from(self.ttl / 10).unwrap_or(jiff::SignedDuration::ZERO);
        let deadline = expires.checked_sub(margin).unwrap_or(expires);
        if Timestamp::now() < deadline {
            return None;
        }
        // Once seen lost, lost for good: a renewal that goes through later does not undo what
        // another apply may have done meanwhile.
        let why = format!("it expired at {expires} (or is about to) before it could be renewed");
        self.lose(why.clone());
        Some(why)
    }

    /// One renewal: `Ok(true)` renewed, `Ok(false)` not now (an error; tried again next time),
    /// `Err` lost.
    async fn renew(&self, held: &mut Held) -> Result<bool, String> {
        if let Some(why) = self.lost() {
            return Err(why);
        }
        let now = Timestamp::now();
        if now >= held.expires {
            return Err(format!("it expired at {} before it could be renewed", held.expires));
        }
        let expires = after(now, self.ttl);
        let record = self.me.record(held.acquired, expires, None);
        let Ok(w) = put(&self.ssm, &self.name, &record, true).await else { return Ok(false) };
        let done = Timestamp::now();
        // Writes between ours can only be takeover attempts that lost (ours had not expired) or
        // the SDK retrying our write: the lease is still ours.
        if w == held.version + 1 || (w > held.version && done < held.expires) {
            held.version = w;
            held.expires = expires;
            if let Ok(mut c) = self.confirmed.lock() {
                *c = expires;
            }
            return Ok(true);
        }
        Err(format!(
            "renewing it wrote version {w} of parameter {}, not the next after ours ({}), after it had expired",
            self.name, held.version
        ))
    }

    async fn release(&self) -> Result<(), Error> {
        let mut held = self.held.lock().await;
        if held.released {
            return Ok(());
        }
        held.released = true;
        if self.lost().is_some() {
            return Ok(());
        }
        let Some((record, version)) = read(&self.ssm, &self.name).await? else { return Ok(()) };
        // Ours: our record (the token: versions restart at 1 when a parameter is deleted and made
        // again), at our last write or later writes made while ours had not expired (takeover
        // attempts that lost; renewals retried by the SDK).
        let unexpired = Timestamp::now() < held.expires;
        let mine = if record.token == self.me.token {
            version == held.version || (version > held.version && unexpired)
        } else {
            // Another's record over ours can only be a takeover attempt that lost (it wrote after
            // our winning version, while ours had not expired); a lease made again after a delete
            // starts its versions at 1 and carries no takeover.
            record.takeover_of.is_some() && version > held.version && unexpired
        };
        if !mine {
            return Ok(());
        }
        match self.ssm.delete_parameter().name(&self.name).send().await {
            Ok(_) => Ok(()),
            Err(e) => {
                let e = aws("ssm", "DeleteParameter", e);
                if e.is_code("ParameterNotFound") { Ok(()) } else { Err(e) }
            }
        }
    }
}

async fn renewals(shared: Arc<Shared>) {
    let mut pause = shared.ttl / 3;
    loop {
        tokio::time::sleep(pause).await;
        let mut held = shared.held.lock().await;
        if held.released {
            return;
        }
        match shared.renew(&mut held).await {
            // After a renewal that did not go through, try again sooner: the time left is shorter.
            Ok(renewed) => pause = if renewed { shared.ttl / 3 } else { shared.ttl / 10 },
            Err(why) => {
                shared.lose(why);
                return;
            }
        }
    }
}

/// A plan's lease, held until [`Lease::release`] (or dropped: released in the background).
#[derive(Debug)]
pub struct Lease {
    shared: Arc<Shared>,
    renewal: Option<tokio::task::JoinHandle<()>>,
    released: bool,
}

impl Lease {
    /// Take `plan`'s lease for `command`, or fail with [`Error::Locked`] while another apply or
    /// destroy holds it. Must run inside a Tokio runtime (the renewals are a task on it).
    pub async fn acquire(
        ssm: &aws_sdk_ssm::Client,
        plan: &str,
        command: LeaseCommand,
        ttl: Duration,
    ) -> Result<Lease, Error> {
        let name = parameter_name(plan)?;
        let me = Identity::new(command);
        // Within the bounds the CLI and Python check, for every caller: a zero TTL would be born
        // expired and renewed in a tight loop.
        let ttl = ttl.clamp(
            Duration::from_secs(*LEASE_TTL_SECONDS_RANGE.start()),
            Duration::from_secs(*LEASE_TTL_SECONDS_RANGE.end()),
        );
        // A lease released between our create and our read: try again (a few times).
        for _ in 0..5 {
            let now = Timestamp::now();
            let record = me.record(now, after(now, ttl), None);
            match put(ssm, &name, &record, false).await {
                Ok(v) => return Ok(Lease::held(ssm, plan, &name, ttl, me, v, now, after(now, ttl))),
                Err(e) if e.is_code("ParameterAlreadyExists") => {}
                Err(e) => return Err(e),
            }
            let Some((current, version)) = read(ssm, &name).await? else { continue };
            if current.token == me.token {
                // Our own create, retried by the SDK after an answer that was lost.
                let (acquired, expires) = (current.acquired().unwrap_or(now), current.expires().unwrap_or(now));
                return Ok(Lease::held(ssm, plan, &name, ttl, me, version, acquired, expires));
            }
            let now = Timestamp::now();
            let Some(expired_at) = current.expires() else {
                return Err(Error::Foreign(format!(
                    "parameter {name} holds a lease record whose `expires` is not an RFC 3339 instant"
                )));
            };
            if now < expired_at {
                return Err(locked(plan, &name, &current, false));
            }
            // Expired: take it over if our write is the very next version.
            let expires = after(now, ttl);
            // Sent once: an SDK retry after a lost answer would land as version v+2 and lose to itself.
            let w = put_once(ssm, &name, &me.record(now, expires, Some(version))).await?;
            if w == version + 1 {
                return Ok(Lease::held(ssm, plan, &name, ttl, me, w, now, expires));
            }
            let winner = read(ssm, &name).await.ok().flatten().map(|(r, _)| r).unwrap_or(current);
            return Err(locked(plan, &name, &winner, true));
        }
        Err(Error::Unexpected(format!(
            "the lease parameter {name} kept appearing and disappearing: another apply or destroy of plan {plan} \
             keeps starting and ending"
        )))
    }

    #[allow(clippy::too_many_arguments)]
    fn held(
        ssm: &aws_sdk_ssm::Client,
        plan: &str,
        name: &str,
        ttl: Duration,
        me: Identity,
        version: i64,
        acquired: Timestamp,
        expires: Timestamp,
    ) -> Lease {
        let shared = Arc::new(Shared {
            ssm: ssm.clone(),
            plan: plan.to_string(),
            name: name.to_string(),
            ttl,
            me,
            held: tokio::sync::Mutex::new(Held { version, expires, acquired, released: false }),
            lost: Mutex::new(None),
            confirmed: Mutex::new(expires),
        });
        let renewal = Some(tokio::spawn(renewals(shared.clone())));
        Lease { shared, renewal, released: false }
    }

    /// The parameter holding the lease.
    pub fn parameter(&self) -> &str {
        &self.shared.name
    }

    /// The plan whose lease this is.
    pub fn plan(&self) -> &str {
        &self.shared.plan
    }

    /// Why the lease was lost while held (a renewal found another holder, or could not renew it
    /// before it expired); `None` while it is held.
    pub fn lost(&self) -> Option<String> {
        self.shared.lost()
    }

    /// [`Lease::lost`] as the error an apply reports.
    pub fn lost_error(&self) -> Option<Error> {
        self.lost().map(|why| Error::LeaseLost {
            plan: self.shared.plan.clone(),
            parameter: self.shared.name.clone(),
            reason: why,
        })
    }

    /// Give the lease back: stop renewing and delete the parameter if it is still ours.
    pub async fn release(mut self) -> Result<(), Error> {
        self.released = true;
        let result = self.shared.release().await;
        if let Some(h) = self.renewal.take() {
            h.abort();
        }
        result
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        let renewal = self.renewal.take();
        if self.released {
            if let Some(h) = renewal {
                h.abort();
            }
            return;
        }
        match tokio::runtime::Handle::try_current() {
            // The renewal is not aborted: a write of it already sent could land after the delete
            // and make the lease again. The release waits for it (they share the lock) and the
            // renewal task ends when it sees the lease released.
            Ok(rt) => {
                let shared = self.shared.clone();
                rt.spawn(async move {
                    let _ = shared.release().await;
                });
            }
            Err(_) => {
                if let Some(h) = renewal {
                    h.abort();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lease_parameters_are_named_under_a_path_aws_accepts() {
        assert_eq!(parameter_name("web-monthly").expect("name"), "/lease/ssmpatch/web-monthly");
        // AWS refuses names whose first segment starts with `aws` or `ssm`, case-insensitively.
        let first = LEASE_PARAMETER_PREFIX.trim_start_matches('/').to_ascii_lowercase();
        assert!(!first.starts_with("aws") && !first.starts_with("ssm"), "{first}");
        assert!(parameter_name(&"a".repeat(128)).is_ok());
        for bad in ["", "a b", "a/b", "é", &"a".repeat(NAME_LIMIT)] {
            let e = parameter_name(bad).expect_err(bad);
            assert!(e.to_string().contains("lease parameter"), "{e}");
        }
        assert_eq!(
            lease_resource("aws", "ap-northeast-1", "*", "web"),
            "arn:aws:ssm:ap-northeast-1:*:parameter/lease/ssmpatch/web"
        );
    }

    #[test]
    fn tokens_differ_and_spans_read_as_words() {
        assert_ne!(token(), token());
        assert_eq!(token().len(), 32);
        let t: Timestamp = "2026-06-01T00:00:00Z".parse().expect("ts");
        assert_eq!(span(t, after(t, Duration::from_secs(200))), "3 min 20 s");
        assert_eq!(span(t, after(t, Duration::from_secs(7300))), "2 h 1 min");
        assert_eq!(span(after(t, Duration::from_secs(5)), t), "0 s");
    }

    #[test]
    fn a_record_fits_a_standard_parameter() {
        let me = Identity {
            owner: clip(&"o".repeat(5000)),
            host: clip(&"h".repeat(5000)),
            ..Identity::new(LeaseCommand::Apply)
        };
        let t = Timestamp::now();
        let value = serde_json::to_string(&me.record(t, t, Some(i64::MAX))).expect("json");
        // "Standard parameters have a content size limit of 4 KB" (API reference, PutParameter, Tier).
        assert!(value.len() <= 4096, "{}", value.len());
    }
}
