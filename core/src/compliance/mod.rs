//! Compliance: parsing AWS-RunPatchBaseline output.
//!
//! - [`output`]: what `AWS-RunPatchBaseline` printed on a node, read into a [`output::RunReport`]
//!   (the `[BASELINE OVERRIDE]` blocks, the normal-run lines, the Windows patch summary), with
//!   truncation detected and reported, never parsed as if complete.

pub mod additions;
pub mod output;
pub mod refresh;
