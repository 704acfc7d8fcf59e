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

/// The pure diff: desired against observed (only owned resources are compared or deleted;
/// foreign ones are reported when they carry a name the plan uses).
///
/// Drift the plan cannot have asked for is deleted too, each with a [`Change::note`]: extra copies
/// of an owned resource (two applies at once, or a create AWS applied twice) — the copy whose
/// fields match the plan is kept, else the one with the smallest id; a window's targets and tasks
/// follow their window — and owned resources of a backend other than `backend` (the plan moved).
pub fn diff(plan: &str, backend: Backend, desired: Vec<Desired>, observed: Vec<Observed>) -> Diff {
    let (owned, foreign): (Vec<Observed>, Vec<Observed>) = observed.into_iter().partition(|o| o.owned);
    let wanted: BTreeMap<Key, Value> = desired.iter().map(|d| (d.key.clone(), d.spec.clone())).collect();
    // Only a foreign resource with a name the plan uses is in its way; others merely share the
    // prefix (plan `web` and plan `web-monthly`'s resources) and are none of its business.
    let foreign: Vec<Observed> = foreign.into_iter().filter(|f| wanted.contains_key(&f.key)).collect();
    let (windows, rest): (Vec<Observed>, Vec<Observed>) =
        owned.into_iter().partition(|o| o.key.kind == Kind::MaintenanceWindow);
    let (mut by_key, mut extra) = keep_one(windows, &wanted);
    // Children of an extra window go with it; those of the kept window are compared.
    let kept_window: BTreeMap<String, String> = by_key.iter().map(|(k, o)| (k.name.clone(), o.id.clone())).collect();
    let rest: Vec<Observed> = rest
        .into_iter()
        .filter(|o| match (&o.key.parent, &o.parent_id) {
            (Some(p), Some(pid)) => kept_window.get(p) == Some(pid),
            _ => true,
        })
        .collect();
    let (kept, more) = keep_one(rest, &wanted);
    by_key.extend(kept);
    extra.extend(more);
    let mut changes = Vec::new();
    for d in desired {
        match by_key.remove(&d.key) {
            None => changes.push(Change {
                key: d.key.clone(),
                action: Action::Create,
                id: None,
                fields: field_changes(&Value::Null, &d.spec),
                note: None,
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
                    note: None,
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
        let note = k.kind.backend().filter(|b| *b != backend).map(|b| {
            format!("on the {} backend, which the plan no longer uses (it uses {})", b.as_str(), backend.as_str())
        });
        changes.push(Change {
            key: k,
            action: Action::Delete,
            id: Some(o.id.clone()),
            fields: Vec::new(),
            note,
            desired: None,
            observed: Some(o),
        });
    }
    for (o, kept_id) in extra {
        changes.push(Change {
            key: o.key.clone(),
            action: Action::Delete,
            id: Some(o.id.clone()),
            fields: Vec::new(),
            note: Some(format!(
                "an extra copy (the plan's is {kept_id}): made by two applies at once, or by a create AWS carried out \
                 twice"
            )),
            desired: None,
            observed: Some(o),
        });
    }
    changes.sort_by(|a, b| a.key.cmp(&b.key));
    Diff { plan: plan.to_string(), backend, changes, foreign }
}

/// One resource per key — the copy with the fewest fields differing from what the plan wants,
/// the smallest id among equals (stable from run to run) — and the other copies, each with the id
/// of the one kept.
fn keep_one(
    observed: Vec<Observed>,
    wanted: &BTreeMap<Key, Value>,
) -> (BTreeMap<Key, Observed>, Vec<(Observed, String)>) {
    let mut groups: BTreeMap<Key, Vec<Observed>> = BTreeMap::new();
    for o in observed {
        groups.entry(o.key.clone()).or_default().push(o);
    }
    let mut kept = BTreeMap::new();
    let mut extra = Vec::new();
    for (k, mut copies) in groups {
        copies.sort_by(|a, b| a.id.cmp(&b.id));
        // The copy closest to the plan (fewest fields to change; a baseline that holds the patch
        // group beats one that would have to take it from its twin), the smallest id on a tie.
        let pick = wanted
            .get(&k)
            .and_then(|spec| {
                copies.iter().enumerate().min_by_key(|(_, o)| field_changes(&o.spec, spec).len()).map(|(i, _)| i)
            })
            .unwrap_or(0);
        let one = copies.remove(pick);
        extra.extend(copies.into_iter().map(|o| (o, one.id.clone())));
        kept.insert(k, one);
    }
    (kept, extra)
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

    #[test]
    fn extra_copies_are_deleted_and_children_follow_their_window() {
        let window = |id: &str, spec: Value| Observed {
            key: Key::new(Kind::MaintenanceWindow, "w"),
            id: id.into(),
            parent_id: None,
            spec,
            owned: true,
        };
        let task = |id: &str, parent: &str| Observed {
            key: Key::child(Kind::WindowTask, "w", "install"),
            id: id.into(),
            parent_id: Some(parent.into()),
            spec: json!({"Name": "install"}),
            owned: true,
        };
        let desired = vec![
            d(Kind::MaintenanceWindow, "w", json!({"Schedule": "rate(7 days)"})),
            Desired {
                key: Key::child(Kind::WindowTask, "w", "install"),
                spec: json!({"Name": "install"}),
                payload: crate::backends::model::Payload::None,
            },
        ];
        // The copy that matches the plan is kept even though its id sorts last.
        let observed = vec![
            window("mw-a", json!({"Schedule": "rate(1 day)"})),
            window("mw-b", json!({"Schedule": "rate(7 days)"})),
            task("t-a", "mw-a"),
            task("t-b1", "mw-b"),
            task("t-b2", "mw-b"),
        ];
        let diff = diff("p", Backend::MaintenanceWindow, desired, observed);
        let summary: Vec<(Kind, &Action, Option<&str>, bool)> = diff
            .changes
            .iter()
            .map(|c| {
                (c.key.kind, &c.action, c.id.as_deref(), c.note.as_deref().is_some_and(|n| n.contains("extra copy")))
            })
            .collect();
        assert_eq!(
            summary,
            [
                (Kind::MaintenanceWindow, &Action::Unchanged, Some("mw-b"), false),
                (Kind::MaintenanceWindow, &Action::Delete, Some("mw-a"), true),
                (Kind::WindowTask, &Action::Unchanged, Some("t-b1"), false),
                (Kind::WindowTask, &Action::Delete, Some("t-b2"), true),
            ]
        );
    }

    #[test]
    fn only_foreign_resources_with_a_name_the_plan_uses_are_reported() {
        let desired = vec![d(Kind::PatchBaseline, "ssmpatch-web-al2023", json!({}))];
        let observed = vec![
            o(Kind::PatchBaseline, "ssmpatch-web-al2023", json!({}), false),
            o(Kind::PatchBaseline, "ssmpatch-web-monthly-al2023", json!({}), false),
        ];
        let diff = diff("web", Backend::MaintenanceWindow, desired, observed);
        let names: Vec<&str> = diff.foreign.iter().map(|f| f.key.name.as_str()).collect();
        assert_eq!(names, ["ssmpatch-web-al2023"]);
    }

    #[test]
    fn of_copies_that_all_differ_the_closest_is_kept() {
        let desired = vec![d(Kind::PatchBaseline, "b", json!({"Rules": 2, "PatchGroups": ["web"]}))];
        let observed = vec![
            Observed { id: "pb-1".into(), ..o(Kind::PatchBaseline, "b", json!({"Rules": 1, "PatchGroups": []}), true) },
            Observed {
                id: "pb-2".into(),
                ..o(Kind::PatchBaseline, "b", json!({"Rules": 1, "PatchGroups": ["web"]}), true)
            },
        ];
        let diff = diff("p", Backend::MaintenanceWindow, desired, observed);
        let kept: Vec<_> =
            diff.changes.iter().filter(|c| c.action == Action::Update).map(|c| c.id.as_deref()).collect();
        assert_eq!(kept, [Some("pb-2")], "the copy that holds the patch group is kept");
    }

    #[test]
    fn another_backends_resources_are_deleted_saying_why() {
        let observed = vec![o(Kind::Association, "a", json!({}), true)];
        let diff = diff("p", Backend::MaintenanceWindow, Vec::new(), observed);
        assert_eq!(diff.changes[0].action, Action::Delete);
        let note = diff.changes[0].note.as_deref().unwrap_or_default();
        assert!(note.contains("association backend") && note.contains("maintenance-window"), "{note}");
    }
}
