//! The generated bindings of `ssmpatch:strategy@0.1.0` and their conversions to and from the
//! core's own types (`super::super::types`): the one place the two meet.

use crate::strategy::types as core;

wasmtime::component::bindgen!({
    path: "wit",
    world: "strategy",
});

use self::ssmpatch::strategy::types as wit;

impl From<&core::Pair> for wit::Pair {
    fn from(p: &core::Pair) -> Self {
        wit::Pair { key: p.key.clone(), value: p.value.clone() }
    }
}

impl From<wit::Pair> for core::Pair {
    fn from(p: wit::Pair) -> Self {
        core::Pair { key: p.key, value: p.value }
    }
}

impl From<core::OperationKind> for wit::OperationKind {
    fn from(k: core::OperationKind) -> Self {
        match k {
            core::OperationKind::Scan => wit::OperationKind::Scan,
            core::OperationKind::Install => wit::OperationKind::Install,
        }
    }
}

impl From<wit::OperationKind> for core::OperationKind {
    fn from(k: wit::OperationKind) -> Self {
        match k {
            wit::OperationKind::Scan => core::OperationKind::Scan,
            wit::OperationKind::Install => core::OperationKind::Install,
        }
    }
}

impl From<&core::PlanInfo> for wit::PlanInfo {
    fn from(p: &core::PlanInfo) -> Self {
        wit::PlanInfo {
            name: p.name.clone(),
            backend: match p.backend {
                core::StrategyBackend::PatchPolicy => wit::Backend::PatchPolicy,
                core::StrategyBackend::Association => wit::Backend::Association,
                core::StrategyBackend::MaintenanceWindow => wit::Backend::MaintenanceWindow,
            },
            operations: p
                .operations
                .iter()
                .map(|o| wit::Operation { name: o.name.clone(), kind: o.kind.into(), uses_override: o.uses_override })
                .collect(),
            settings: p.settings.iter().map(Into::into).collect(),
            compliance_type: p.compliance_type.clone(),
        }
    }
}

impl From<&core::RunResult> for wit::RunResult {
    fn from(r: &core::RunResult) -> Self {
        wit::RunResult {
            instance_id: r.instance_id.clone(),
            operation: r.operation.clone(),
            kind: r.kind.into(),
            execution_id: r.execution_id.clone(),
            execution_time: r.execution_time.clone(),
            summary: r.summary.iter().map(Into::into).collect(),
            non_compliant: r
                .non_compliant
                .iter()
                .map(|p| wit::PatchPackage {
                    id: p.id.clone(),
                    title: p.title.clone(),
                    state: p.state.clone(),
                    severity: p.severity.clone(),
                    classification: p.classification.clone(),
                    patch_severity: p.patch_severity.clone(),
                    cve_ids: p.cve_ids.clone(),
                    installed_time: p.installed_time.clone(),
                })
                .collect(),
            all_compliant: r.all_compliant,
            truncated: r.truncated,
            raw_output: r.raw_output.clone(),
        }
    }
}

impl From<wit::AddedOperation> for core::AddedOperation {
    fn from(a: wit::AddedOperation) -> Self {
        core::AddedOperation { name: a.name, kind: a.kind.into(), after: a.after, uses_override: a.uses_override }
    }
}

impl From<wit::Action> for core::Action {
    fn from(a: wit::Action) -> Self {
        match a {
            wit::Action::PutCompliance(p) => core::Action::PutCompliance(core::PutCompliance {
                instance_id: p.instance_id,
                compliance_type: p.compliance_type,
                execution_id: p.execution_id,
                execution_time: p.execution_time,
                items: p
                    .items
                    .into_iter()
                    .map(|i| core::ComplianceItem {
                        id: i.id,
                        title: i.title,
                        severity: i.severity,
                        status: i.status,
                        details: i.details.into_iter().map(Into::into).collect(),
                    })
                    .collect(),
                upload_type: match p.upload_type {
                    wit::UploadType::Complete => core::UploadType::Complete,
                    wit::UploadType::Partial => core::UploadType::Partial,
                },
                content_hash: p.content_hash,
            }),
            wit::Action::StartScan(nodes) => core::Action::StartScan(nodes),
            wit::Action::Message(m) => core::Action::Message(m),
        }
    }
}
