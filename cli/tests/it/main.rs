//! The integration tests of the `ssmpatch` binary: one binary, one module per area. What belongs
//! where:

mod conventions; // every command: --json errors as one JSON object (the parser's too), examples in --help, completions, man pages
mod golden; // every example plan's output pinned byte for byte (offline, and live on the stand-in)
mod hostile_input; // huge values, unbounded files, hostile text: exit 2 with a clear, clipped message, never a panic
mod lease; // one apply at a time per plan: two applies at once on every backend make one set (the loser exits 5 naming the holder); a killed holder's lease expires
mod live; // plan, apply, destroy on the local AWS stand-in as a user runs them, a killed apply
mod plan; // full output of the offline plan commands (validate, explain, calendar, override render)
mod plan_strategy; // a plan's custom strategy: path relative to the plan file from any directory; validate loads it and calls its plan()
mod refresh; // `refresh` after runs on a simulated node: windows, associations, rescan, custom strategies
mod schedule; // full output of `schedule next|check`: stdout, stderr and exit code
mod status; // `status` on the stand-in: the JSON shape, the text, exit codes 0/6/2/3, --operation, --at
mod strategy; // `strategy list|test` with built-ins, saved runs, parsed output, custom strategies
mod strategy_host; // `strategy test` shows the host's decisions (written, scan started, skipped, rejected); `output parse --as-run-input`
mod strategy_new; // `strategy new`: a crate with its own SDK copy and lock that builds offline outside the repository; `--sdk` checked
mod timeouts; // every AWS call has a time limit (a listener that never answers), and AWS failures said in words
mod util; // how every module runs the binary (offline or against the stand-in) and reads its output
