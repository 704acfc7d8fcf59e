//! Plans: one declarative file for targets, baselines, per-operation approval and schedules.
//!
//! Layers: [`calendar`] (rules a person would say) → [`compile`] (native forms per backend,
//! verified) → the plan model, backend choice and baseline placement.

pub mod calendar;
pub mod compile;
