//! Why a strategy call failed, as data (whatever runs the strategy).

/// Why a strategy call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StrategyError {
    /// The bytes are not a strategy component of this interface.
    #[error("strategy `{name}` cannot be loaded: {reason}")]
    Invalid {
        /// Strategy name.
        name: String,
        /// Why.
        reason: String,
    },
    /// The host itself cannot start (its engine, or the directory of compiled strategies).
    #[error("the strategy host cannot start: {reason}")]
    Host {
        /// Why.
        reason: String,
        /// The environment variable whose value is at fault, if one is (`SSMPATCH_WASM_CACHE`,
        /// which takes a directory or `off`).
        setting: Option<&'static str>,
    },
    /// It was built for another version of the `ssmpatch:strategy` interface (read from the
    /// component before it is linked or run).
    #[error(
        "strategy `{name}` was built for interface ssmpatch:strategy@{found}, and this ssmpatch runs \
         ssmpatch:strategy@{expected}"
    )]
    InterfaceVersion {
        /// Strategy name.
        name: String,
        /// The version the component was built for.
        found: String,
        /// The version this host implements.
        expected: &'static str,
    },
    /// It used up its fuel.
    #[error("strategy `{name}` ran out of fuel ({fuel} units)")]
    OutOfFuel {
        /// Strategy name.
        name: String,
        /// The limit.
        fuel: u64,
    },
    /// It ran past its deadline.
    #[error("strategy `{name}` did not finish within {deadline_ms} ms")]
    Timeout {
        /// Strategy name.
        name: String,
        /// The limit.
        deadline_ms: u128,
    },
    /// It asked for more memory than allowed.
    #[error("strategy `{name}` exceeded its memory limit of {limit_bytes} bytes")]
    MemoryLimit {
        /// Strategy name.
        name: String,
        /// The limit.
        limit_bytes: usize,
    },
    /// It trapped (a panic, an unreachable, a bad memory access).
    #[error("strategy `{name}` trapped: {message}")]
    Trap {
        /// Strategy name.
        name: String,
        /// The trap.
        message: String,
    },
    /// It called an import the sandbox denies (filesystem, network, clock, stdin, exit; see `sandbox`).
    #[error(
        "strategy `{name}` called `{import}`, which the sandbox denies (a strategy has no filesystem, network or clock)"
    )]
    Denied {
        /// Strategy name.
        name: String,
        /// The import, `<interface>#<function>`.
        import: String,
    },
    /// It returned an error.
    #[error("strategy `{name}` returned an error: {message}")]
    Failed {
        /// Strategy name.
        name: String,
        /// Its message.
        message: String,
    },
    /// It answered with something the host refuses (e.g. an added operation that cannot be
    /// placed on the plan's backend).
    #[error("strategy `{name}` {reason}")]
    Refused {
        /// Strategy name.
        name: String,
        /// What is refused, as a phrase after the strategy's name.
        reason: String,
    },
    /// It returned more than the host accepts.
    #[error("strategy `{name}` returned too much: {what}")]
    TooMuchOutput {
        /// Strategy name.
        name: String,
        /// What.
        what: String,
    },
    /// The plan's own strategy failed while the plan was checked, explained or applied: the
    /// error, with the plan that names the strategy (its name, file and line).
    #[error("{error} (the compliance strategy of {plan})")]
    InPlan {
        /// The plan: "plan `web-monthly` (plans/web.toml, line 12)".
        plan: String,
        /// What failed.
        error: Box<StrategyError>,
    },
}
