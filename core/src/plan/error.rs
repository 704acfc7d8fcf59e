//! Plan errors: what is wrong, where in the file (line, column and the key path), and a hint.

use std::fmt;

/// A plan that ssmpatch cannot accept, located in its file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct PlanError {
    /// The file, when the plan came from one.
    pub file: Option<String>,
    /// 1-based line, when known.
    pub line: Option<u32>,
    /// 1-based column (in characters), when known.
    pub column: Option<u32>,
    /// Key path, e.g. `operations.scan.schedule`.
    pub path: String,
    /// What is wrong, as a lowercase phrase.
    pub message: String,
    /// What to do instead.
    pub hint: Option<String>,
}

impl PlanError {
    /// An error at a key path (located later against the source).
    pub fn at(path: impl Into<String>, message: impl Into<String>) -> PlanError {
        PlanError { file: None, line: None, column: None, path: path.into(), message: message.into(), hint: None }
    }

    /// With a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> PlanError {
        self.hint = Some(hint.into());
        self
    }

    /// `file:line:column` (as much as is known).
    pub fn location(&self) -> String {
        let mut s = self.file.as_deref().map_or_else(|| "<plan>".to_string(), crate::input::echo);
        if let Some(l) = self.line {
            s.push_str(&format!(":{l}"));
            if let Some(c) = self.column {
                s.push_str(&format!(":{c}"));
            }
        }
        s
    }

    /// The first line, without the hint. Made safe to print: each key of the path is echoed
    /// ([`crate::input::echo`]; a key is what the user wrote) and the message clipped
    /// ([`crate::input::clip_message`]).
    pub fn headline(&self) -> String {
        let message = crate::input::clip_message(&self.message);
        if self.path.is_empty() {
            format!("{}: {message}", self.location())
        } else {
            let path: Vec<String> = self.path.split('.').map(crate::input::echo).collect();
            format!("{}: {}: {message}", self.location(), path.join("."))
        }
    }
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.headline())?;
        if let Some(h) = &self.hint {
            write!(f, "\nhint: {}", crate::input::clip_message(h))?;
        }
        Ok(())
    }
}

/// Several plan errors, all reported at once (validation does not stop at the first).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct PlanErrors(pub Vec<PlanError>);

impl fmt::Display for PlanErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl From<PlanError> for PlanErrors {
    fn from(e: PlanError) -> Self {
        PlanErrors(vec![e])
    }
}
