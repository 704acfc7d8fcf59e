//! The whole flow from a Rust program: load a plan, explain it (offline), then against AWS — or
//! the local stand-in — open a session, diff, apply and refresh compliance.
//!
//!     cargo run -p ssmpatch --example guide -- examples/seed-placed.toml
//!     eval "$(scripts/standin.sh env)" && cargo run -p ssmpatch --example guide -- examples/seed-placed.toml --apply
//!
//! The crate's front page shows this file; `core/tests/it/backends.rs` runs it on the stand-in.

use std::path::Path;

use ssmpatch::aws::AwsOptions;
use ssmpatch::backends::Action;
use ssmpatch::compliance::RefreshOptions;
use ssmpatch::plan::{CompileOptions, Plan};
use ssmpatch::session::{Session, SessionOptions};

/// What the guide did (the test checks it).
#[derive(Debug)]
pub struct Outcome {
    /// Resources created by the apply.
    pub created: usize,
    /// Whether a second diff found nothing to change.
    pub converged: bool,
    /// Nodes the refresh reported on.
    pub refreshed: usize,
}

/// Loads and explains the plan at `path`; with `aws`, also diffs, applies and refreshes.
pub async fn guide(path: &Path, aws: Option<AwsOptions>) -> Result<Option<Outcome>, Box<dyn std::error::Error>> {
    // 1. Load: the plan is validated here (every error names its file, line and column).
    let plan = Plan::load(path)?;

    // 2. Explain, offline: which backend runs it and why, each operation's schedule in that
    //    backend's dialect, the baseline each uses, and the next runs.
    let opts = CompileOptions::from(jiff::Timestamp::now());
    let ex = plan.explain(&opts)?;
    println!("{}: backend {} ({})", ex.plan, ex.backend, ex.chosen);
    for op in &ex.operations {
        println!("  {} ({}): {} → baseline {}", op.name, op.kind.as_str(), op.description, op.baseline.label());
    }
    for run in plan.calendar(2, &opts)?.runs {
        println!("  next: {} {} {}", run.local, run.operation, run.baseline);
    }
    let Some(aws) = aws else { return Ok(None) };

    // 3. Open a session: the SDK clients, the plan's strategy, the resources the plan needs.
    let mut options = SessionOptions::default();
    options.aws = aws;
    let session = Session::open(plan, &options).await?;

    // 4. Diff against what exists (read only), then apply it: creates, updates and deletes in
    //    dependency order; the report says what was done and the first failure, if any.
    let diff = session.diff().await?;
    println!(
        "diff: {} to create, {} to update, {} to delete",
        diff.count(Action::Create),
        diff.count(Action::Update),
        diff.count(Action::Delete)
    );
    let report = session.apply(&diff, &|line| println!("  {line}")).await;
    if let Some(error) = &report.error {
        return Err(format!("apply stopped (the next apply converges): {error}").into());
    }
    let converged = session.diff().await?.is_empty();

    // 5. After the plan's runs (here: none yet), refresh compliance with the plan's strategy.
    let refreshed = session.refresh(&RefreshOptions::default(), &|line| eprintln!("  {line}")).await?;
    println!("refresh: {} nodes, strategy {}", refreshed.nodes.len(), refreshed.strategy);

    Ok(Some(Outcome { created: diff.count(Action::Create), converged, refreshed: refreshed.nodes.len() }))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().unwrap_or_else(|| "examples/seed-placed.toml".into());
    // `--apply` uses the standard AWS configuration (`AWS_ENDPOINT_URL` for the stand-in).
    let aws = args.any(|a| a == "--apply").then(AwsOptions::default);
    guide(Path::new(&path), aws).await?;
    Ok(())
}
