//! What one strategy call may use, and the ranges a plan, the CLI or Python may set.

use std::time::Duration;

/// What one call may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Wasm fuel (roughly instructions).
    pub fuel: u64,
    /// Wall-clock deadline.
    pub deadline: Duration,
    /// Linear memory cap, bytes.
    pub memory_bytes: usize,
    /// Most actions a call may return.
    pub max_actions: usize,
    /// Most bytes a call's results may copy out of the strategy (wasmtime's "hostcall fuel",
    /// counted before anything is allocated on the host).
    pub max_output_bytes: usize,
}

/// Each limit changed on its own: `Limits::default().with_fuel(5_000_000)`.
impl Limits {
    /// With this much fuel.
    pub const fn with_fuel(mut self, fuel: u64) -> Limits {
        self.fuel = fuel;
        self
    }

    /// With this wall-clock deadline.
    pub const fn with_deadline(mut self, deadline: Duration) -> Limits {
        self.deadline = deadline;
        self
    }

    /// With this linear memory cap, bytes.
    pub const fn with_memory_bytes(mut self, memory_bytes: usize) -> Limits {
        self.memory_bytes = memory_bytes;
        self
    }

    /// With at most this many actions per call.
    pub const fn with_max_actions(mut self, max_actions: usize) -> Limits {
        self.max_actions = max_actions;
        self
    }

    /// With at most this many bytes of results per call.
    pub const fn with_max_output_bytes(mut self, max_output_bytes: usize) -> Limits {
        self.max_output_bytes = max_output_bytes;
        self
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            fuel: 2_000_000_000,
            deadline: Duration::from_secs(10),
            memory_bytes: 256 << 20,
            max_actions: 100_000,
            max_output_bytes: 128 << 20,
        }
    }
}

/// The fuel a plan, the CLI or Python may set (`fuel`).
pub const FUEL_RANGE: std::ops::RangeInclusive<u64> = 1_000_000..=1_000_000_000_000;
/// The deadline, seconds, a plan, the CLI or Python may set (`timeout-seconds`).
pub const TIMEOUT_SECONDS_RANGE: std::ops::RangeInclusive<u64> = 1..=600;
/// The memory cap, MiB, a plan, the CLI or Python may set (`memory-mib`).
pub const MEMORY_MIB_RANGE: std::ops::RangeInclusive<u64> = 1..=4096;

/// A limit given out of its range (see [`Limits::out_of_range`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitOutOfRange {
    /// Its name in a plan: `fuel`, `timeout-seconds` or `memory-mib`.
    pub key: &'static str,
    /// The value given.
    pub value: u64,
    /// What is allowed.
    pub range: std::ops::RangeInclusive<u64>,
    /// The unit of the range, for messages: `units`, `seconds` or `MiB`.
    pub unit: &'static str,
}

impl Limits {
    /// The given limits that are outside their ranges, in the order fuel, timeout, memory. The one
    /// check behind a plan's `[compliance.limits]` and Python's `Strategy.load`.
    pub fn out_of_range(
        fuel: Option<u64>,
        timeout_seconds: Option<u64>,
        memory_mib: Option<u64>,
    ) -> Vec<LimitOutOfRange> {
        [
            ("fuel", fuel, FUEL_RANGE, "units"),
            ("timeout-seconds", timeout_seconds, TIMEOUT_SECONDS_RANGE, "seconds"),
            ("memory-mib", memory_mib, MEMORY_MIB_RANGE, "MiB"),
        ]
        .into_iter()
        .filter_map(|(key, value, range, unit)| {
            value.filter(|v| !range.contains(v)).map(|value| LimitOutOfRange { key, value, range, unit })
        })
        .collect()
    }

    /// These limits with the given values in place (unchecked; see [`Limits::out_of_range`]).
    pub fn with(self, fuel: Option<u64>, timeout_seconds: Option<u64>, memory_mib: Option<u64>) -> Limits {
        Limits {
            fuel: fuel.unwrap_or(self.fuel),
            deadline: timeout_seconds.map(Duration::from_secs).unwrap_or(self.deadline),
            memory_bytes: memory_mib.map(|m| (m as usize) << 20).unwrap_or(self.memory_bytes),
            ..self
        }
    }
}
