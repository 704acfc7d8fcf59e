//! The `Examples:` block of every command's `--help` (and of its man page). A line `$ ssmpatch …`
//! is a command the tests parse with the real argument definitions (`main.rs`), so an example
//! that stops being valid fails the build's tests; `#` lines say what the next one does.

pub const ROOT: &str = "\
Examples:
  # Which backends accept a schedule, and when it runs (offline)
  $ ssmpatch schedule check 'cron(0 2 ? * SUN#2 *)'
  $ ssmpatch schedule next 'cron(0 2 ? * 1L *)' --tz Asia/Tokyo --count 3
  # A plan: check it and preview its runs (offline), then see and make the changes in AWS
  $ ssmpatch validate examples/seed-monthly.toml
  $ ssmpatch calendar examples/seed-monthly.toml --count 4
  $ ssmpatch plan examples/seed-monthly.toml
  $ ssmpatch apply examples/seed-monthly.toml
  # Shell completions and the manual
  $ ssmpatch completions bash > ~/.local/share/bash-completion/completions/ssmpatch
  $ ssmpatch man | man -l -";

pub const SCHEDULE: &str = "\
Examples:
  $ ssmpatch schedule next 'cron(0 2 ? * 1L *)' --tz Asia/Tokyo --count 2
  $ ssmpatch schedule check 'cron(0 18 ? * MON-FRI *)' --backend association";

pub const SCHEDULE_NEXT: &str = "\
Examples:
  # 02:00 on the last Sunday of every month, Tokyo time: the next two runs
  $ ssmpatch schedule next 'cron(0 2 ? * 1L *)' --tz Asia/Tokyo --count 2
  # Two days after every second Tuesday, from a given instant, as JSON
  $ ssmpatch schedule next 'cron(0 3 ? * TUE#2 *)' --offset 2 --after 2026-06-01T00:00:00Z --json
  $ ssmpatch schedule next 'rate(12 hours)' --count 3";

pub const SCHEDULE_CHECK: &str = "\
Examples:
  # Which of the three backends accept it (exit 1 when none does)
  $ ssmpatch schedule check 'cron(0 18 ? * MON-FRI *)'
  $ ssmpatch schedule check 'cron(0 3 ? * TUE#2 *)' --offset 3 --backend maintenance-window
  $ ssmpatch schedule check 'rate(5 hours)' --json";

pub const VALIDATE: &str = "\
Examples:
  $ ssmpatch validate examples/seed-monthly.toml
  $ ssmpatch validate plan.json --json";

pub const EXPLAIN: &str = "\
Examples:
  $ ssmpatch explain examples/seed-monthly.toml
  $ ssmpatch explain examples/seed-placed.toml --json";

pub const CALENDAR: &str = "\
Examples:
  $ ssmpatch calendar examples/seed-monthly.toml --count 4
  $ ssmpatch calendar examples/seed-monthly.toml --count 24 --json";

pub const OVERRIDE: &str = "\
Examples:
  $ ssmpatch override render examples/seed-placed.toml --operation scan";

pub const OVERRIDE_RENDER: &str = "\
Examples:
  # The BaselineOverride file the install operation's runs download, byte for byte
  $ ssmpatch override render examples/seed-monthly.toml --operation install
  $ ssmpatch override render examples/seed-placed.toml --operation scan > scan-override.json";

pub const SCHEMA: &str = "\
Examples:
  # For an editor that completes and checks plan files (TOML or JSON)
  $ ssmpatch schema > plan.schema.json";

pub const PLAN: &str = "\
Examples:
  # What apply would change (credentials and Region found as the AWS CLI finds them)
  $ ssmpatch plan examples/seed-monthly.toml --profile patching
  # In CI: exit 2 when AWS has drifted from the plan, 0 when it has not
  $ ssmpatch plan examples/seed-monthly.toml --detailed-exitcode
  # Against the local AWS stand-in (scripts/standin.sh) instead of AWS
  $ ssmpatch plan examples/seed-monthly.toml --endpoint-url http://127.0.0.1:5000 --json";

pub const APPLY: &str = "\
Examples:
  # Shows the changes and asks before making them
  $ ssmpatch apply examples/seed-monthly.toml
  # Non-interactively, the changes and what was done as one JSON object
  $ ssmpatch apply examples/seed-monthly.toml --yes --json";

pub const DESTROY: &str = "\
Examples:
  $ ssmpatch destroy examples/seed-monthly.toml
  # Also while a window's run is in progress (that run is lost)
  $ ssmpatch destroy examples/seed-monthly.toml --yes --force";

pub const IAM_POLICY: &str = "\
Examples:
  # The caller's least-privilege policy for every command
  $ ssmpatch iam-policy examples/seed-placed.toml
  # Only plan and apply, with the account id in the ARNs
  $ ssmpatch iam-policy examples/seed-placed.toml --for plan,apply --account 123456789012
  # What the managed nodes' instance profile needs (override download, command output)
  $ ssmpatch iam-policy examples/seed-placed.toml --node";

pub const OUTPUT: &str = "\
Examples:
  $ ssmpatch output parse stdout.txt";

pub const OUTPUT_PARSE: &str = "\
Examples:
  # A node's complete stdout (the S3 output object)
  $ ssmpatch output parse stdout.txt
  # StandardOutputContent of GetCommandInvocation (cut at 24,000 characters), from stdin, as JSON
  $ ssmpatch output parse - --from-invocation --json < invocation.txt";

pub const STRATEGY: &str = "\
Examples:
  $ ssmpatch strategy list
  $ ssmpatch strategy test put-compliance-items --input examples/strategy-run.json
  $ ssmpatch strategy new critical-only";

pub const STRATEGY_LIST: &str = "\
Examples:
  $ ssmpatch strategy list";

pub const STRATEGY_TEST: &str = "\
Examples:
  # A built-in strategy on the sample run file
  $ ssmpatch strategy test put-compliance-items --input examples/strategy-run.json
  # Your own component on one node's saved output, with a setting
  $ ssmpatch strategy test target/wasm32-wasip2/release/critical_only.wasm --output-file stdout.txt --setting min-severity=Critical";

pub const STRATEGY_NEW: &str = "\
Examples:
  $ ssmpatch strategy new critical-only --dir ~/src
  $ cd ~/src/critical-only && cargo build --release --target wasm32-wasip2";

pub const REFRESH: &str = "\
Examples:
  # After the plan's windows ran: write compliance through the plan's strategy
  $ ssmpatch refresh examples/seed-monthly.toml
  # Only the install runs since November, as JSON (exit 4 when a node was left out)
  $ ssmpatch refresh examples/seed-monthly.toml --operation install --since 2026-11-01T00:00:00Z --json
  # One AWS-RunPatchBaseline command started by hand with one of the plan's overrides
  $ ssmpatch refresh examples/seed-monthly.toml --command-id 0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";

pub const STATUS: &str = "\
Examples:
  # Is the compliance report current? (exit 6 when some node is not)
  $ ssmpatch status examples/seed-monthly.toml
  # One operation, as JSON, for a cron job or CI check
  $ ssmpatch status examples/seed-monthly.toml --operation install --json
  # As of an instant: the runs due by then (reports and patch states are today's)
  $ ssmpatch status examples/seed-monthly.toml --at 2026-12-28T00:00:00Z
  # Also as one self-contained HTML page (summary, timeline, sortable node table)
  $ ssmpatch status examples/seed-monthly.toml --html status.html";

pub const COMPLETIONS: &str = "\
Examples:
  $ ssmpatch completions bash > ~/.local/share/bash-completion/completions/ssmpatch
  # zsh: a directory in $fpath, before compinit
  $ ssmpatch completions zsh > ~/.zfunc/_ssmpatch
  $ ssmpatch completions fish > ~/.config/fish/completions/ssmpatch.fish
  $ ssmpatch completions powershell >> $PROFILE";

pub const MAN: &str = "\
Examples:
  $ ssmpatch man | man -l -
  # One page per command (ssmpatch-schedule-next.1, ...), as docs/man/ is made
  $ ssmpatch man --dir docs/man";
