//! The pure diff between desired and observed state: create / update / delete / unchanged, field
//! by field. Only owned resources are compared or deleted; foreign ones are reported.

use std::collections::BTreeMap;

use serde_json::Value;

use super::model::{Action, Change, Desired, Diff, FieldChange, Key, Kind, Observed};
use crate::schedule::Backend;

/// Field-by-field comparison of two JSON objects (top-level keys).
fn field_changes(from: &Value, to: &Value) -> Vec<FieldChange> {
    let empty = serde_json::Map::new();
    let a = from.as_object().unwrap_or(&empty);
    let b = to.as_object().unwrap_or(&empty);
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|k| {
            let x = a.get(k).cloned().unwrap_or(Value::Null);
            let y = b.get(k).cloned().unwrap_or(Value::Null);
            (x != y).then(|| FieldChange { field: k.clone(), from: x, to: y })
        })
        .collect()
}

/// The pure diff: desired against observed (only owned resources are compared or deleted).
pub fn diff(plan: &str, backend: Backend, desired: Vec<Desired>, observed: Vec<Observed>) -> Diff {
    let (owned, foreign): (Vec<Observed>, Vec<Observed>) = observed.into_iter().partition(|o| o.owned);
    let mut by_key: BTreeMap<Key, Observed> = owned.into_iter().map(|o| (o.key.clone(), o)).collect();
    let mut changes = Vec::new();
    for d in desired {
        match by_key.remove(&d.key) {
            None => changes.push(Change {
                key: d.key.clone(),
                action: Action::Create,
                id: None,
                fields: field_changes(&Value::Null, &d.spec),
                desired: Some(d),
                observed: None,
            }),
            Some(o) => {
                let fields = field_changes(&o.spec, &d.spec);
                let action = if fields.is_empty() { Action::Unchanged } else { Action::Update };
                changes.push(Change {
                    key: d.key.clone(),
                    action,
                    id: Some(o.id.clone()),
                    fields,
                    desired: Some(d),
                    observed: Some(o),
                });
            }
        }
    }
    // Owned resources the plan no longer needs. A window's targets and tasks go with it.
    let deleted_windows: Vec<String> =
        by_key.keys().filter(|k| k.kind == Kind::MaintenanceWindow).map(|k| k.name.clone()).collect();
    for (k, o) in by_key {
        if k.parent.as_ref().is_some_and(|p| deleted_windows.contains(p)) {
            continue;
        }
        changes.push(Change {
            key: k,
            action: Action::Delete,
            id: Some(o.id.clone()),
            fields: Vec::new(),
            desired: None,
            observed: Some(o),
        });
    }
    changes.sort_by(|a, b| a.key.cmp(&b.key));
    Diff { plan: plan.to_string(), backend, changes, foreign }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn d(kind: Kind, name: &str, spec: Value) -> Desired {
        Desired { key: Key::new(kind, name), spec, payload: crate::backends::model::Payload::None }
    }

    fn o(kind: Kind, name: &str, spec: Value, owned: bool) -> Observed {
        Observed { key: Key::new(kind, name), id: format!("id-{name}"), parent_id: None, spec, owned }
    }

    #[test]
    fn diff_creates_updates_deletes_and_leaves_foreign_alone() {
        let desired = vec![
            d(Kind::MaintenanceWindow, "a", json!({"Schedule": "cron(0 3 ? * SUNL *)", "Duration": 4})),
            d(Kind::MaintenanceWindow, "b", json!({"Schedule": "rate(7 days)"})),
            d(Kind::MaintenanceWindow, "c", json!({"Schedule": "rate(1 day)"})),
        ];
        let observed = vec![
            o(Kind::MaintenanceWindow, "a", json!({"Schedule": "cron(0 3 ? * SUNL *)", "Duration": 3}), true),
            o(Kind::MaintenanceWindow, "b", json!({"Schedule": "rate(7 days)"}), true),
            o(Kind::MaintenanceWindow, "old", json!({}), true),
            o(Kind::MaintenanceWindow, "c", json!({}), false),
        ];
        let diff = diff("p", Backend::MaintenanceWindow, desired, observed);
        let actions: Vec<(&str, &Action)> = diff.changes.iter().map(|c| (c.key.name.as_str(), &c.action)).collect();
        assert_eq!(
            actions,
            [("a", &Action::Update), ("b", &Action::Unchanged), ("c", &Action::Create), ("old", &Action::Delete)]
        );
        assert_eq!(
            diff.changes[0].fields,
            vec![FieldChange { field: "Duration".into(), from: json!(3), to: json!(4) }]
        );
        assert_eq!(diff.foreign.len(), 1);
        assert!(!diff.is_empty());
    }

    #[test]
    fn children_of_deleted_windows_are_not_deleted_separately() {
        let observed = vec![
            o(Kind::MaintenanceWindow, "w", json!({}), true),
            Observed {
                key: Key::child(Kind::WindowTask, "w", "install"),
                id: "t".into(),
                parent_id: Some("w".into()),
                spec: json!({}),
                owned: true,
            },
        ];
        let diff = diff("p", Backend::MaintenanceWindow, Vec::new(), observed);
        assert_eq!(diff.changes.len(), 1);
        assert_eq!(diff.changes[0].key.kind, Kind::MaintenanceWindow);
    }
}
