//! Errors for baselines and override documents: what is wrong, where (a key path in the plan),
//! and what to do about it.

use std::fmt;

/// A problem in a baseline, an approval override or an override object's name, located by the
/// key path of the plan it came from (e.g.
/// `baselines.AMAZON_LINUX_2023.approval-rules[0].approve-after-days`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.render())]
pub struct BaselineError {
    /// Key path in the plan; empty when the problem has no place in a file.
    pub path: String,
    /// What is wrong, as a lowercase phrase.
    pub message: String,
    /// What to do.
    pub hint: String,
}

/// The name this type had first; the plan loader reads issues through it.
pub type BaselineIssue = BaselineError;

impl BaselineError {
    pub(crate) fn new(path: impl Into<String>, message: impl Into<String>, hint: impl Into<String>) -> Self {
        BaselineError { path: path.into(), message: message.into(), hint: hint.into() }
    }

    /// The first line: the message and where.
    pub fn headline(&self) -> String {
        if self.path.is_empty() { self.message.clone() } else { format!("{} (at `{}`)", self.message, self.path) }
    }

    fn render(&self) -> String {
        if self.hint.is_empty() { self.headline() } else { format!("{}\nhint: {}", self.headline(), self.hint) }
    }
}

/// Every problem found while validating, in the order of the file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BaselineErrors(pub Vec<BaselineError>);

impl BaselineErrors {
    /// The problems.
    pub fn iter(&self) -> std::slice::Iter<'_, BaselineError> {
        self.0.iter()
    }

    /// The key paths of the problems, in order (handy in tests and summaries).
    pub fn paths(&self) -> Vec<&str> {
        self.0.iter().map(|e| e.path.as_str()).collect()
    }
}

impl fmt::Display for BaselineErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for BaselineErrors {}

impl From<BaselineError> for BaselineErrors {
    fn from(e: BaselineError) -> Self {
        BaselineErrors(vec![e])
    }
}

impl IntoIterator for BaselineErrors {
    type Item = BaselineError;
    type IntoIter = std::vec::IntoIter<BaselineError>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}
