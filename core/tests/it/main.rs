//! The integration tests of `ssmpatch`: one binary, one module per area. What belongs where:

mod additions; // what a compliance strategy adds at plan time, placed on each backend (offline)
mod ambiguous; // creates AWS applied but answered with a 5xx or a dropped connection: no duplicate on any backend
mod architecture; // no import circle among core/src or cli/src modules
mod backends; // per backend against the local AWS stand-in: conformance, convergence, the crate guide
mod baseline_override; // baselines and BaselineOverride documents: goldens, limits, S3 publishing
mod cron_vectors; // the shared corpus of AWS schedule vectors
mod deletes; // deletes never destroy a running thing; one-shot windows kept for refresh
mod host_decisions; // what the host does with a strategy's actions before AWS: written, scan started, skipped, rejected (refresh and `strategy test`)
mod hostile_input; // hostile input: huge values, long texts, unbounded files never panic, hang or exhaust memory
mod iam_policy; // iam-policy --for each command: exactly the actions used, and each one needed (ablation)
mod lease; // one apply at a time per plan: the Parameter Store lease acquired, refused naming its holder, taken over, renewed, lost, released
mod limits; // AWS length, count and pattern limits and account quotas checked offline: what validate accepts never half-applies
mod output_parse; // parsing AWS-RunPatchBaseline stdout: samples, noise, truncation, arbitrary input
mod ownership; // ownership by tag on every backend: moving backends, extra copies, destroy, foreign names
mod patch_policy_roles; // patch policies: [patch-policy] settings in explain, deployment roles checked or created, deployment progress, auto not moving a plan
mod plan_props; // properties of the schedule compiler and the override renderer
mod plan_strategy; // a plan's custom strategy: its path relative to the plan file; loaded and its `plan` called when the plan is checked
mod plans; // plans: the examples, calendars, backend choice, placement, located errors
mod refresh; // refresh end to end per backend on the stand-in (two items per page), read back
mod runs_at_apply; // nothing ssmpatch creates runs on a node at apply: every example, every backend
mod schedule_engine; // the schedule engine beyond the vectors: errors, dialect rules, descriptions
mod schedule_props; // properties: the parser never panics, iteration increases and ends
mod standin; // the stand-in's controls as the Rust SDK meets them (faults, client tokens)
mod status; // status end to end on the stand-in: each verdict with its evidence (seed plan on windows; reports written by refresh on associations)
mod status_html; // the status report's HTML page in headless Chromium: DOM after its script, filters, sorting, screenshot, PDF
mod strategies; // the strategy host running components: built-ins, limits, adversarial fixtures
mod strategy_host; // the strategy host without a strategy: loading, refusals, version check, checks
mod strategy_run_schema; // the run file strategy test reads: committed JSON Schema = generated, the example validates
