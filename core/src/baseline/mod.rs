//! BaselineOverride documents (owned by the baseline work; see mod docs).
