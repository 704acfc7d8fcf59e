//! Embedding ssmpatch in a Rust program: load a plan, explain it, preview its calendar, and —
//! when `AWS_ENDPOINT_URL` points at the local stand-in (or you have AWS credentials) — show
//! the live diff.
//!
//!     cargo run -p ssmpatch --example embed -- examples/seed-placed.toml
//!     eval "$(scripts/standin.sh env)" && cargo run -p ssmpatch --example embed -- examples/seed-placed.toml --live

use std::path::PathBuf;

use ssmpatch::backends::Action;
use ssmpatch::plan::Plan;
use ssmpatch::plan::compile::CompileOptions;
use ssmpatch::session::{Session, SessionOptions};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = PathBuf::from(args.next().unwrap_or_else(|| "examples/seed-placed.toml".into()));
    let live = args.any(|a| a == "--live");

    let plan = Plan::load(&path)?;
    let opts = CompileOptions::from(jiff::Timestamp::now());
    let ex = plan.explain(&opts)?;
    println!("{}: backend {} ({})", ex.plan, ex.backend, ex.chosen);
    for op in &ex.operations {
        println!("  {} ({}): {} → baseline {}", op.name, op.kind.as_str(), op.description, op.baseline.label());
    }
    for run in plan.calendar(2, &opts)?.runs {
        println!("  next: {} {} {}", run.local, run.operation, run.baseline);
    }
    if live {
        let session = Session::open(plan, &SessionOptions::default()).await?;
        let diff = session.diff().await?;
        println!(
            "live: {} to create, {} to update, {} to delete, {} unchanged",
            diff.count(Action::Create),
            diff.count(Action::Update),
            diff.count(Action::Delete),
            diff.count(Action::Unchanged)
        );
    }
    Ok(())
}
