//! Finished runs: what `refresh` asks a backend for. Each backend finds the commands its
//! resources ran ([`super::Scheduler::finished_runs`]); one command started by hand is found the
//! same way on every backend ([`command_run`]).

use jiff::Timestamp;

use super::shared::document::RUN_PATCH_BASELINE;
use crate::aws::Clients;
use crate::error::{Error, aws};
use crate::plan::file::OperationKind;

/// An operation whose runs refresh can read: the plan's, and those its strategy added.
#[derive(Debug, Clone, PartialEq)]
pub struct RunOperation {
    /// Its name.
    pub name: String,
    /// Scan or install.
    pub kind: OperationKind,
    /// Runs with a `BaselineOverride`.
    pub uses_override: bool,
    /// The override's `s3://` URL.
    pub override_url: Option<String>,
    /// The plan operation it follows (added operations).
    pub after: Option<String>,
}

/// Which runs to find.
#[derive(Clone, Copy)]
pub struct RunQuery<'a> {
    /// Every operation of the plan, added ones included.
    pub operations: &'a [RunOperation],
    /// The operations whose runs are wanted.
    pub wanted: &'a (dyn Fn(&str) -> bool + Sync),
    /// Only runs that started at or after this instant.
    pub since: Option<Timestamp>,
}

impl std::fmt::Debug for RunQuery<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunQuery").field("operations", &self.operations).field("since", &self.since).finish()
    }
}

/// One finished command of one operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinishedRun {
    /// The plan operation.
    pub operation: String,
    /// The Run Command id.
    pub command_id: String,
    /// When it ended (`None` when AWS did not say).
    pub end: Option<Timestamp>,
}

/// An AWS time as an instant.
pub(crate) fn instant(t: &aws_smithy_types::DateTime) -> Option<Timestamp> {
    Timestamp::new(t.secs(), i32::try_from(t.subsec_nanos()).ok()?).ok()
}

/// `Operation` and `BaselineOverride` of AWS-RunPatchBaseline parameters.
pub(crate) fn run_parameters(params: &serde_json::Value) -> (Option<String>, Option<String>) {
    let first = |k: &str| {
        params.get(k).and_then(|v| match v {
            serde_json::Value::Array(a) => a.first().and_then(|x| x.as_str()).map(str::to_string),
            serde_json::Value::String(s) => Some(s.clone()),
            _ => None,
        })
    };
    (first("Operation"), first("BaselineOverride").filter(|u| !u.is_empty()))
}

/// One command, e.g. `AWS-RunPatchBaseline` started by hand with one of the plan's overrides:
/// it counts as `operation` when given, else as the operation whose override it ran with.
pub(crate) async fn command_run(
    clients: &Clients,
    plan: &str,
    command_id: &str,
    ops: &[RunOperation],
    operation: Option<&str>,
) -> Result<FinishedRun, Error> {
    let page =
        clients.ssm.list_commands().command_id(command_id).send().await.map_err(|e| aws("ssm", "ListCommands", e))?;
    let Some(command) = page.commands().first() else {
        return Err(Error::input(format!("command `{command_id}` does not exist in this account and Region"), None));
    };
    if command.document_name() != Some(RUN_PATCH_BASELINE) {
        return Err(Error::input(
            format!(
                "command `{command_id}` runs `{}`, not {RUN_PATCH_BASELINE}",
                command.document_name().unwrap_or_default()
            ),
            None,
        ));
    }
    let params = serde_json::to_value(command.parameters().cloned().unwrap_or_default()).unwrap_or_default();
    let (_, url) = run_parameters(&params);
    let operation = match (operation, &url) {
        (Some(op), _) => op.to_string(),
        (None, Some(url)) => {
            ops.iter().find(|o| o.override_url.as_deref() == Some(url.as_str())).map(|o| o.name.clone()).ok_or_else(
                || {
                    Error::input(
                        format!(
                            "command `{command_id}` runs with BaselineOverride {url}, which is not one of plan \
                             `{plan}`'s"
                        ),
                        Some("pass --operation to refresh it as one of them".into()),
                    )
                },
            )?
        }
        (None, None) => {
            return Err(Error::input(
                format!("command `{command_id}` runs without BaselineOverride, so AWS recorded its compliance itself"),
                Some("pass --operation to refresh it anyway".into()),
            ));
        }
    };
    let end = command.requested_date_time().and_then(instant);
    Ok(FinishedRun { operation, command_id: command_id.to_string(), end })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_parameters_read_operation_and_override() {
        let p = serde_json::json!({"Operation": ["Install"], "BaselineOverride": ["s3://b/k.json"]});
        assert_eq!(run_parameters(&p), (Some("Install".into()), Some("s3://b/k.json".into())));
        let p = serde_json::json!({"Operation": ["Scan"], "BaselineOverride": [""]});
        assert_eq!(run_parameters(&p), (Some("Scan".into()), None));
        assert_eq!(run_parameters(&serde_json::Value::Null), (None, None));
    }
}
