//! Command-line arguments (clap derive). Parsing only: behaviour lives in `ssmpatch` (core).

use clap::{Args, Parser, Subcommand, ValueEnum};
use jiff::Timestamp;

use crate::examples;

/// An RFC 3339 instant (`2026-06-01T00:00:00Z`, `2026-06-01T09:00:00+09:00`).
fn instant(s: &str) -> Result<Timestamp, String> {
    s.parse::<Timestamp>().map_err(|e| {
        format!(
            "`{s}` is not an RFC 3339 instant: {e}\nhint: write e.g. 2026-06-01T00:00:00Z or 2026-06-01T09:00:00+09:00"
        )
    })
}

/// Schedule AWS Systems Manager Patch Manager and keep its compliance report honest.
#[derive(Debug, Parser)]
#[command(name = "ssmpatch", version, propagate_version = true, after_help = examples::ROOT)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse, check and preview AWS schedule expressions (offline).
    #[command(subcommand, after_help = examples::SCHEDULE)]
    Schedule(ScheduleCommand),
    /// Validate a plan file (offline); errors point at file:line:column.
    #[command(after_help = examples::VALIDATE)]
    Validate(PlanArgs),
    /// Explain a plan (offline): backend choice, compiled schedules, baseline placement.
    #[command(after_help = examples::EXPLAIN)]
    Explain(PlanArgs),
    /// The next runs of every operation of a plan (offline).
    #[command(after_help = examples::CALENDAR)]
    Calendar(CalendarArgs),
    /// BaselineOverride documents.
    #[command(subcommand, after_help = examples::OVERRIDE)]
    Override(OverrideCommand),
    /// Print the JSON Schema of the plan file.
    #[command(after_help = examples::SCHEMA)]
    Schema,
    /// Read the live state and show what `apply` would change (create/update/delete).
    #[command(after_help = examples::PLAN)]
    Plan(PlanLiveArgs),
    /// Create or update what the plan needs, and remove what it no longer needs.
    #[command(after_help = examples::APPLY)]
    Apply(ApplyArgs),
    /// Remove everything ssmpatch created for the plan (and nothing else).
    #[command(after_help = examples::DESTROY)]
    Destroy(ApplyArgs),
    /// Print the least-privilege IAM policy the plan needs (offline): the caller's, per command,
    /// or with --node the managed nodes' instance profile.
    #[command(after_help = examples::IAM_POLICY)]
    IamPolicy(IamPolicyArgs),
    /// Read what AWS-RunPatchBaseline printed.
    #[command(subcommand, after_help = examples::OUTPUT)]
    Output(OutputCommand),
    /// Compliance strategies (WebAssembly components).
    #[command(subcommand, after_help = examples::STRATEGY)]
    Strategy(StrategyCommand),
    /// Refresh compliance after the plan's runs with BaselineOverride, through its strategy.
    #[command(after_help = examples::REFRESH)]
    Refresh(RefreshArgs),
    /// Whether each node's compliance report is current for the plan's last runs: per node and
    /// operation current, stale, overwritten, missed, failed, unreachable or unknown, with the
    /// evidence (exit 6 when any is not current).
    #[command(after_help = examples::STATUS)]
    Status(StatusArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    #[command(after_help = examples::COMPLETIONS)]
    Completions(CompletionsArgs),
    /// Print the manual page (roff), or write one page per command into a directory.
    #[command(after_help = examples::MAN)]
    Man(ManArgs),
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell the script is for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write `ssmpatch.1` and one page per command (`ssmpatch-schedule-next.1`, ...) into this
    /// directory instead of printing `ssmpatch.1`.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct RefreshArgs {
    #[command(flatten)]
    pub live: LiveArgs,
    /// Only this operation's runs.
    #[arg(long, value_name = "NAME")]
    pub operation: Option<String>,
    /// Only runs that started at or after this instant (RFC 3339).
    #[arg(long, value_name = "RFC3339", value_parser = instant)]
    pub since: Option<Timestamp>,
    /// A built-in strategy or a `.wasm` path instead of the plan's `[compliance] strategy`.
    #[arg(long, value_name = "NAME|PATH")]
    pub strategy: Option<String>,
    /// Read this command (e.g. AWS-RunPatchBaseline started by hand with one of the plan's
    /// overrides) instead of the plan's window or association runs.
    #[arg(long, value_name = "ID")]
    pub command_id: Option<String>,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub live: LiveArgs,
    /// Only this plan operation.
    #[arg(long, value_name = "NAME")]
    pub operation: Option<String>,
    /// Report as of this instant (RFC 3339; default now): the calendar's last runs and the runs
    /// read end there. Compliance summaries and patch states are always today's (AWS keeps no
    /// history of them), so one newer than the instant counts as a later scan.
    #[arg(long, value_name = "RFC3339", value_parser = instant)]
    pub at: Option<Timestamp>,
    /// Also write the report as one self-contained HTML page (summary, timeline of runs, a
    /// sortable and filterable node table; readable printed and without JavaScript) to FILE.
    #[arg(long, value_name = "FILE")]
    pub html: Option<std::path::PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum StrategyCommand {
    /// The built-in strategies.
    #[command(after_help = examples::STRATEGY_LIST)]
    List,
    /// Run a strategy on a saved run result and print its actions.
    #[command(after_help = examples::STRATEGY_TEST)]
    Test(StrategyTestArgs),
    /// Scaffold a strategy crate that builds (`cargo build --release --target wasm32-wasip2`).
    #[command(after_help = examples::STRATEGY_NEW)]
    New(StrategyNewArgs),
}

#[derive(Debug, Args)]
pub struct StrategyNewArgs {
    /// The crate name (and directory), e.g. `critical-only`.
    pub name: String,
    /// Where to create it (default: the current directory).
    #[arg(long, default_value = ".")]
    pub dir: std::path::PathBuf,
    /// A local SDK crate's directory to depend on (checked: `ssmpatch-strategy-sdk`, a compatible
    /// version and interface). Default: a copy of the SDK this ssmpatch was built with, written
    /// into the new crate's `sdk/`.
    #[arg(long)]
    pub sdk: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct StrategyTestArgs {
    /// A built-in strategy name, or the path of a `.wasm` component or SDK-built module.
    pub strategy: String,
    /// `{"plan": PLAN-INFO, "runs": [RUN-RESULT, ...]}` as JSON (core/strategy-run.schema.json;
    /// `output parse --as-run-input` writes one; see examples/strategy-run.json).
    #[arg(long, value_name = "RUN.json", conflicts_with = "output_file", required_unless_present = "output_file")]
    pub input: Option<std::path::PathBuf>,
    /// Or: one node's AWS-RunPatchBaseline stdout, parsed into a run result.
    #[arg(long, value_name = "STDOUT")]
    pub output_file: Option<std::path::PathBuf>,
    /// With --output-file: how the output becomes a run.
    #[command(flatten)]
    pub run: RunInputArgs,
    /// Fuel per call, roughly WebAssembly instructions (a plan's `[compliance.limits] fuel`).
    #[arg(long, value_name = "UNITS", value_parser = clap::value_parser!(u64).range(ssmpatch::strategy::FUEL_RANGE))]
    pub fuel: Option<u64>,
    /// Wall-clock deadline per call (a plan's `[compliance.limits] timeout-seconds`).
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(ssmpatch::strategy::TIMEOUT_SECONDS_RANGE))]
    pub timeout_seconds: Option<u64>,
    /// Memory cap per call (a plan's `[compliance.limits] memory-mib`).
    #[arg(long, value_name = "MIB", value_parser = clap::value_parser!(u64).range(ssmpatch::strategy::MEMORY_MIB_RANGE))]
    pub memory_mib: Option<u64>,
    /// Print one JSON object on stdout: the strategy's answers and the host's decisions.
    #[arg(long)]
    pub json: bool,
}

/// How one node's saved output becomes a strategy run (`strategy test --output-file`,
/// `output parse --as-run-input`).
#[derive(Debug, Args, Clone, Default)]
pub struct RunInputArgs {
    /// The plan operation the run belongs to (default: `install` or `scan`, as the output says).
    #[arg(long, value_name = "NAME")]
    pub operation: Option<String>,
    /// The run's Run Command id (default: `test-execution`).
    #[arg(long, value_name = "ID")]
    pub execution_id: Option<String>,
    /// When the run ended, RFC 3339 (default: now).
    #[arg(long, value_name = "RFC3339", value_parser = instant)]
    pub time: Option<Timestamp>,
    /// The compliance type the plan would write (default: `Custom:ssmpatch`).
    #[arg(long, value_name = "TYPE")]
    pub compliance_type: Option<String>,
    /// Strategy settings, `key=value` (repeatable).
    #[arg(long = "setting", value_name = "KEY=VALUE")]
    pub settings: Vec<String>,
}

impl RunInputArgs {
    /// The flags given, by name.
    pub fn given(&self) -> Vec<&'static str> {
        [
            (self.operation.is_some(), "--operation"),
            (self.execution_id.is_some(), "--execution-id"),
            (self.time.is_some(), "--time"),
            (self.compliance_type.is_some(), "--compliance-type"),
            (!self.settings.is_empty(), "--setting"),
        ]
        .into_iter()
        .filter_map(|(given, name)| given.then_some(name))
        .collect()
    }
}

#[derive(Debug, Subcommand)]
pub enum OutputCommand {
    /// Parse one node's stdout (a file, or `-` for stdin).
    #[command(after_help = examples::OUTPUT_PARSE)]
    Parse(OutputParseArgs),
}

#[derive(Debug, Args)]
pub struct OutputParseArgs {
    /// The stdout file (the S3 output object or a saved GetCommandInvocation text); `-` reads stdin.
    pub file: std::path::PathBuf,
    /// The text came from GetCommandInvocation (cut at 24,000 characters): treat a text of that
    /// length as truncated.
    #[arg(long)]
    pub from_invocation: bool,
    /// Print one JSON object on stdout.
    #[arg(long, conflicts_with = "as_run_input")]
    pub json: bool,
    /// Print the run file `strategy test --input` reads (core/strategy-run.schema.json) instead.
    #[arg(long)]
    pub as_run_input: bool,
    /// With --as-run-input: how the output becomes a run.
    #[command(flatten)]
    pub run: RunInputArgs,
}

/// AWS connection settings, as the AWS CLI takes them.
#[derive(Debug, Args, Clone)]
pub struct AwsArgs {
    /// AWS region (default: the plan's `region`, else the standard chain: AWS_REGION, profile).
    #[arg(long, value_parser = region)]
    pub region: Option<String>,
    /// Named profile from the AWS config files.
    #[arg(long)]
    pub profile: Option<String>,
    /// Send every AWS call to this endpoint (a local stand-in).
    #[arg(long, env = "AWS_ENDPOINT_URL", value_name = "URL", value_parser = endpoint_url)]
    pub endpoint_url: Option<String>,
    /// AWS calls in flight at once.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub concurrency: u32,
    /// Seconds to wait for a connection to an AWS endpoint (each attempt).
    #[arg(long, value_name = "SECONDS", default_value_t = ssmpatch::aws::DEFAULT_CONNECT_TIMEOUT.as_secs(),
          value_parser = clap::value_parser!(u64).range(ssmpatch::aws::TIMEOUT_SECONDS_RANGE))]
    pub connect_timeout: u64,
    /// Seconds one attempt of an AWS call may wait for its answer before it is retried.
    #[arg(long, value_name = "SECONDS", default_value_t = ssmpatch::aws::DEFAULT_ATTEMPT_TIMEOUT.as_secs(),
          value_parser = clap::value_parser!(u64).range(ssmpatch::aws::TIMEOUT_SECONDS_RANGE))]
    pub attempt_timeout: u64,
    /// Seconds one AWS call may take in all, every attempt and the backoff between them included;
    /// a call that runs out fails (exit 3) naming the operation and the limit.
    #[arg(long, value_name = "SECONDS", default_value_t = ssmpatch::aws::DEFAULT_OPERATION_TIMEOUT.as_secs(),
          value_parser = clap::value_parser!(u64).range(ssmpatch::aws::TIMEOUT_SECONDS_RANGE))]
    pub operation_timeout: u64,
}

/// `--region`: a Region name, checked before any call.
fn region(s: &str) -> Result<String, String> {
    ssmpatch::aws::check_region(s).map(|()| s.to_string())
}

/// `--endpoint-url` / AWS_ENDPOINT_URL: an http(s) URL, checked before any call.
fn endpoint_url(s: &str) -> Result<String, String> {
    ssmpatch::aws::check_endpoint_url(s).map(|()| s.to_string())
}

#[derive(Debug, Args)]
pub struct LiveArgs {
    #[command(flatten)]
    pub plan: PlanArgs,
    #[command(flatten)]
    pub aws: AwsArgs,
}

#[derive(Debug, Args)]
pub struct PlanLiveArgs {
    #[command(flatten)]
    pub live: LiveArgs,
    /// Exit as `terraform plan -detailed-exitcode` does, for drift checks: 0 no changes, 2
    /// changes, 1 any error (the message still says which; without the flag: the usual table).
    #[arg(long)]
    pub detailed_exitcode: bool,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub live: LiveArgs,
    /// Do not ask for confirmation.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Delete maintenance windows and associations even while one of their runs has not ended
    /// (the run is lost); without it nothing is changed while one would be.
    #[arg(long)]
    pub force: bool,
    /// Seconds the plan's lease lasts without renewal (one apply or destroy at a time per plan;
    /// renewed every third of it while this one runs): how long a killed apply keeps the next
    /// one out (exit 5 until then).
    #[arg(long, value_name = "SECONDS", default_value_t = ssmpatch::lease::DEFAULT_LEASE_TTL.as_secs(),
          value_parser = clap::value_parser!(u64).range(ssmpatch::lease::LEASE_TTL_SECONDS_RANGE))]
    pub lease_ttl: u64,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The plan file (TOML, or JSON with a `.json` name).
    pub plan: std::path::PathBuf,
    /// Print one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
    /// Verify and preview from this instant instead of now (RFC 3339).
    #[arg(long, value_name = "RFC3339", hide = true, value_parser = instant)]
    pub from: Option<Timestamp>,
}

#[derive(Debug, Args)]
pub struct IamPolicyArgs {
    #[command(flatten)]
    pub plan: PlanArgs,
    /// Only what these commands need: plan, apply, refresh, destroy, status or all (repeatable;
    /// default all).
    #[arg(long = "for", value_name = "COMMAND", value_delimiter = ',')]
    pub commands: Vec<String>,
    /// The nodes' instance-profile statements (override download, command output) instead of the
    /// caller's policy.
    #[arg(long, conflicts_with = "commands")]
    pub node: bool,
    /// The ARN partition (default: the plan's Region's, else `aws`).
    #[arg(long, value_name = "PARTITION")]
    pub partition: Option<String>,
    /// The account id in ARNs (default `*`).
    #[arg(long, value_name = "ACCOUNT")]
    pub account: Option<String>,
}

#[derive(Debug, Args)]
pub struct CalendarArgs {
    #[command(flatten)]
    pub plan: PlanArgs,
    /// How many runs of each operation.
    #[arg(long, default_value_t = 6, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub count: u32,
}

#[derive(Debug, Subcommand)]
pub enum OverrideCommand {
    /// Print the BaselineOverride JSON an operation uses.
    #[command(after_help = examples::OVERRIDE_RENDER)]
    Render(RenderArgs),
}

#[derive(Debug, Args)]
pub struct RenderArgs {
    /// The plan file.
    pub plan: std::path::PathBuf,
    /// The operation.
    #[arg(long)]
    pub operation: String,
}

#[derive(Debug, Subcommand)]
pub enum ScheduleCommand {
    /// The next run times of an expression.
    #[command(after_help = examples::SCHEDULE_NEXT)]
    Next(NextArgs),
    /// Which backends accept an expression.
    #[command(after_help = examples::SCHEDULE_CHECK)]
    Check(CheckArgs),
}

#[derive(Debug, Args)]
pub struct NextArgs {
    /// A schedule expression: `cron(...)`, `rate(...)` or `at(...)`.
    pub expression: String,
    /// IANA time zone the cron fields are evaluated in.
    #[arg(long, default_value = "UTC")]
    pub tz: String,
    /// ScheduleOffset: days after each cron occurrence (1-6).
    #[arg(long, value_name = "DAYS")]
    pub offset: Option<u32>,
    /// Runs strictly after this instant (RFC 3339, e.g. 2026-06-01T00:00:00Z); default now.
    #[arg(long, value_name = "RFC3339", value_parser = instant)]
    pub after: Option<Timestamp>,
    /// How many run times.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=10000))]
    pub count: u32,
    /// Print one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// A schedule expression: `cron(...)`, `rate(...)` or `at(...)`.
    pub expression: String,
    /// Check one backend only (default: all three).
    #[arg(long, value_enum)]
    pub backend: Option<BackendArg>,
    /// ScheduleOffset in days (1-6).
    #[arg(long, value_name = "DAYS")]
    pub offset: Option<u32>,
    /// IANA time zone the schedule would run in.
    #[arg(long, default_value = "UTC")]
    pub tz: String,
    /// Print one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum BackendArg {
    MaintenanceWindow,
    Association,
    PatchPolicy,
}

impl From<BackendArg> for ssmpatch::schedule::Backend {
    fn from(b: BackendArg) -> Self {
        match b {
            BackendArg::MaintenanceWindow => Self::MaintenanceWindow,
            BackendArg::Association => Self::Association,
            BackendArg::PatchPolicy => Self::PatchPolicy,
        }
    }
}
