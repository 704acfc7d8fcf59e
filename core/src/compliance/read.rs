//! Talking to AWS during a refresh: reading a node's output in full when possible, writing
//! compliance, starting a scan.

use std::collections::BTreeMap;

use aws_sdk_ssm::types::{
    ComplianceExecutionSummary, ComplianceItemEntry, ComplianceSeverity, ComplianceStatus, ComplianceUploadType,
    InstanceInformationStringFilter, PlatformType,
};
use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;
use jiff::Timestamp;

use super::report::{NodeOutcome, NodeResult};
use crate::aws::Clients;
use crate::backends::paging::all;
use crate::backends::shared::document::RUN_PATCH_BASELINE;
use crate::error::{Error, aws};
use crate::strategy::{PutCompliance, UploadType};

/// A managed node's platform, as `DescribeInstanceInformation` gives it (`PlatformType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Platform {
    Linux,
    Windows,
    MacOs,
}

impl Platform {
    fn of(platform_type: &PlatformType) -> Platform {
        match platform_type {
            PlatformType::Windows => Platform::Windows,
            PlatformType::Macos => Platform::MacOs,
            _ => Platform::Linux,
        }
    }

    /// AWS-RunPatchBaseline's step on this platform and the plugin folder of its output in S3
    /// (`<prefix>/<command-id>/<instance-id>/<plugin>/<step>/stdout`): the document's steps
    /// `PatchWindows` (aws:runPowerShellScript), `PatchLinux` and `PatchMacOS` (aws:runShellScript).
    pub(crate) fn step(self) -> (&'static str, &'static str) {
        match self {
            Platform::Linux => ("PatchLinux", "awsrunShellScript"),
            Platform::Windows => ("PatchWindows", "awsrunPowerShellScript"),
            Platform::MacOs => ("PatchMacOS", "awsrunShellScript"),
        }
    }

    /// `Windows`, `macOS`, `Linux`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Platform::Linux => "Linux",
            Platform::Windows => "Windows",
            Platform::MacOs => "macOS",
        }
    }
}

/// The platform of each of `nodes` that is still registered (DescribeInstanceInformation, at most
/// 50 ids per call, every page); a node AWS no longer knows is absent.
pub(crate) async fn platforms(c: &Clients, nodes: &[String]) -> Result<BTreeMap<String, Platform>, Error> {
    let mut out = BTreeMap::new();
    for chunk in nodes.chunks(DESCRIBE_INSTANCE_IDS) {
        let filter = InstanceInformationStringFilter::builder()
            .key("InstanceIds")
            .set_values(Some(chunk.to_vec()))
            .build()
            .map_err(|e| Error::Unexpected(format!("instance filter: {e}")))?;
        let infos = all(
            "ssm",
            "DescribeInstanceInformation",
            c.ssm.describe_instance_information().filters(filter).into_paginator().items().send(),
        )
        .await?;
        for i in infos {
            if let (Some(id), Some(p)) = (i.instance_id(), i.platform_type()) {
                out.insert(id.to_string(), Platform::of(p));
            }
        }
    }
    Ok(out)
}

/// InstanceInformationStringFilter `Values`: at most 100 (model); the filter by `InstanceIds` is
/// sent 50 at a time, as `InstanceInformationFilterList` allows.
const DESCRIBE_INSTANCE_IDS: usize = 50;

/// GetCommandInvocation of one node's `step` (the plugin of a multi-step document such as
/// AWS-RunPatchBaseline, which AWS requires).
pub(crate) async fn invocation(
    c: &Clients,
    command_id: &str,
    node: &str,
    step: &str,
) -> Result<aws_sdk_ssm::operation::get_command_invocation::GetCommandInvocationOutput, Error> {
    c.ssm
        .get_command_invocation()
        .command_id(command_id)
        .instance_id(node)
        .plugin_name(step)
        .send()
        .await
        .map_err(|e| aws("ssm", "GetCommandInvocation", e))
}

/// The node's stdout of `platform`'s step: the full S3 object when the plan writes output there,
/// else GetCommandInvocation (`complete` = false: may be cut at 24,000 characters).
pub(crate) async fn output(
    c: &Clients,
    command_id: &str,
    node: &str,
    platform: Platform,
    output: Option<&(String, String)>,
    plan: &str,
    op: &str,
) -> Result<(String, bool), Error> {
    let (step, plugin) = platform.step();
    if let Some((bucket, prefix)) = output {
        // Run Command's layout: <prefix>/<command-id>/<instance-id>/<plugin>/<step>/stdout
        let key = format!("{prefix}/{plan}/{op}/{command_id}/{node}/{plugin}/{step}/stdout");
        if let Some(text) = s3_text(c, bucket, &key).await? {
            return Ok((text, true));
        }
    }
    let inv = invocation(c, command_id, node, step).await?;
    // Elsewhere in the plan's bucket (another layout, e.g. an association's or a hand-started
    // command's): "StandardOutputUrl: the URL for the complete text written by the plugin to
    // stdout in Amazon S3" (GetCommandInvocation). Only the plan's own bucket is read.
    if let Some((bucket, _)) = output
        && let Some(key) = inv.standard_output_url().and_then(|u| s3_key_in(u, bucket))
        && let Some(text) = s3_text(c, bucket, &key).await?
    {
        return Ok((text, true));
    }
    Ok((inv.standard_output_content().unwrap_or_default().to_string(), false))
}

/// An output object's text; `None` when there is no such object (the agent could not upload it:
/// the command's own, possibly cut, text is what remains). Any other failure — not allowed to
/// read it, above all — is an error: refresh must not quietly fall back to a cut text.
async fn s3_text(c: &Clients, bucket: &str, key: &str) -> Result<Option<String>, Error> {
    match c.s3.get_object().bucket(bucket).key(key).send().await {
        Ok(mut o) => {
            // Read no more than a node's output can be (the object's size is not bounded by AWS).
            let limit = crate::input::OUTPUT_FILE_LIMIT;
            let too_large = || {
                Error::Unexpected(format!(
                    "s3://{bucket}/{key} is larger than {}, the most ssmpatch reads for one node's output",
                    crate::input::size(limit)
                ))
            };
            if o.content_length().is_some_and(|n| u64::try_from(n).unwrap_or(0) > limit) {
                return Err(too_large());
            }
            // The body streams after the SDK's timeouts ended (they run until the answer's head):
            // its own bound is the operation timeout, so a body that stalls is an error, not a hang.
            let bound =
                c.s3.config()
                    .timeout_config()
                    .and_then(|t| t.operation_timeout())
                    .unwrap_or(crate::aws::DEFAULT_OPERATION_TIMEOUT);
            // Sized once from the answer's length (already checked against the limit).
            let expected = o.content_length().and_then(|n| usize::try_from(n).ok()).unwrap_or(0);
            let read = async {
                let mut bytes = Vec::with_capacity(expected);
                while let Some(chunk) = o.body.next().await {
                    let chunk = chunk.map_err(|e| Error::Aws {
                        service: "s3",
                        operation: "GetObject",
                        code: None,
                        message: format!("reading s3://{bucket}/{key}: {e}"),
                        request_id: None,
                    })?;
                    if (bytes.len() + chunk.len()) as u64 > limit {
                        return Err(too_large());
                    }
                    bytes.extend_from_slice(&chunk);
                }
                Ok(bytes)
            };
            let bytes = tokio::time::timeout(bound, read).await.map_err(|_| Error::Aws {
                service: "s3",
                operation: "GetObject",
                code: None,
                message: format!(
                    "reading s3://{bucket}/{key}: the object's body did not arrive within {} s (the operation timeout)",
                    bound.as_secs()
                ),
                request_id: None,
            })??;
            Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
        }
        Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_key()) => Ok(None),
        Err(e) if e.raw_response().is_some_and(|r| r.status().as_u16() == 404) => Ok(None),
        Err(e) => Err(crate::error::aws("s3", "GetObject", e)),
    }
}

/// The object key of an S3 URL in `bucket`, path-style (`https://s3.<region>.amazonaws.com/<bucket>/<key>`)
/// or virtual-hosted (`https://<bucket>.s3.<region>.amazonaws.com/<key>`); `None` for another bucket.
fn s3_key_in(url: &str, bucket: &str) -> Option<String> {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"))?;
    let (host, path) = rest.split_once('/')?;
    let key =
        if host.starts_with(&format!("{bucket}.s3")) { path } else { path.strip_prefix(bucket)?.strip_prefix('/')? };
    (!key.is_empty()).then(|| key.to_string())
}

/// When each of `nodes` last had its patch compliance recorded by AWS (`OperationEndTime` of its
/// patch state: a scan or install without override; a run with an override records none), in
/// batches of 50 ids as `DescribeInstancePatchStates` takes them.
pub(crate) async fn recorded_at(
    c: &Clients,
    nodes: &[String],
) -> Result<std::collections::BTreeMap<String, jiff::Timestamp>, Error> {
    let mut out = std::collections::BTreeMap::new();
    for chunk in nodes.chunks(50) {
        let states = crate::backends::paging::all(
            "ssm",
            "DescribeInstancePatchStates",
            c.ssm
                .describe_instance_patch_states()
                .set_instance_ids(Some(chunk.to_vec()))
                .into_paginator()
                .items()
                .send(),
        )
        .await?;
        for st in states {
            let t = st.operation_end_time();
            if let Ok(end) = jiff::Timestamp::new(t.secs(), i32::try_from(t.subsec_nanos()).unwrap_or(0)) {
                out.insert(st.instance_id().to_string(), end);
            }
        }
    }
    Ok(out)
}

/// Start `AWS-RunPatchBaseline` Scan without override on `nodes`; the command id. It carries its
/// own `SnapshotId` (a new UUID v4): the `Patch` report a scan writes has the snapshot id as its
/// `ExecutionId`, so `status` can tell the plan's scan from any other.
pub(crate) async fn start_scan(c: &Clients, nodes: &[String], comment: String) -> Result<String, Error> {
    let out = c
        .ssm
        .send_command()
        .document_name(RUN_PATCH_BASELINE)
        .set_instance_ids(Some(nodes.to_vec()))
        .parameters("Operation", vec!["Scan".to_string()])
        .parameters("SnapshotId", vec![uuid::Uuid::new_v4().to_string()])
        .comment(comment)
        .send()
        .await
        .map_err(|e| aws("ssm", "SendCommand", e))?;
    Ok(out.command().and_then(|c| c.command_id()).unwrap_or_default().to_string())
}

/// One PutComplianceItems call (COMPLETE or PARTIAL, with the item content hash).
pub(crate) async fn put_compliance(c: &Clients, op: String, p: PutCompliance) -> NodeOutcome {
    let outcome = |result: NodeResult, detail: String| NodeOutcome {
        instance_id: p.instance_id.clone(),
        operation: op.clone(),
        execution_id: p.execution_id.clone(),
        result,
        detail,
    };
    // Every item or none: a COMPLETE upload missing one would drop it from the report.
    let items: Result<Vec<ComplianceItemEntry>, _> = p
        .items
        .iter()
        .map(|i| {
            ComplianceItemEntry::builder()
                .id(&i.id)
                .title(&i.title)
                .severity(ComplianceSeverity::from(i.severity.as_str()))
                .status(ComplianceStatus::from(i.status.as_str()))
                .set_details(Some(i.details.iter().map(|d| (d.key.clone(), d.value.clone())).collect()))
                .build()
        })
        .collect();
    let items = match items {
        Ok(items) => items,
        Err(e) => return outcome(NodeResult::Failed, format!("a compliance item cannot be sent: {e}")),
    };
    let when = DateTime::from_str(&p.execution_time, Format::DateTime)
        .unwrap_or_else(|_| DateTime::from_secs(Timestamp::now().as_second()));
    let summary = match ComplianceExecutionSummary::builder()
        .execution_time(when)
        .execution_id(&p.execution_id)
        .execution_type("Command")
        .build()
    {
        Ok(s) => s,
        Err(e) => return outcome(NodeResult::Failed, e.to_string()),
    };
    let sent = c
        .ssm
        .put_compliance_items()
        .resource_id(&p.instance_id)
        .resource_type("ManagedInstance")
        .compliance_type(&p.compliance_type)
        .execution_summary(summary)
        .set_items(Some(items))
        .item_content_hash(&p.content_hash)
        .upload_type(match p.upload_type {
            UploadType::Complete => ComplianceUploadType::Complete,
            UploadType::Partial => ComplianceUploadType::Partial,
        })
        .send()
        .await;
    match sent {
        Ok(_) => outcome(NodeResult::ComplianceWritten, super::route::written_detail(&p)),
        Err(e) => outcome(NodeResult::Failed, aws("ssm", "PutComplianceItems", e).to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An S3 endpoint on 127.0.0.1 that sends the answer's head and part of its body, then
    /// nothing (the connection stays open): reading it ends at the operation timeout.
    #[tokio::test]
    async fn a_body_that_stalls_is_an_error_at_the_operation_timeout() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        tokio::spawn(async move {
            let (mut sock, _) = listener.accept().await.expect("accept");
            let mut buf = [0u8; 4096];
            let _ = sock.read(&mut buf).await;
            let head = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nContent-Type: text/plain\r\n\r\npart of it";
            sock.write_all(head.as_bytes()).await.expect("write");
            tokio::time::sleep(std::time::Duration::from_secs(30)).await;
            drop(sock);
        });
        let opts = crate::aws::AwsOptions {
            operation_timeout: Some(std::time::Duration::from_secs(2)),
            max_attempts: Some(1),
            ..crate::aws::AwsOptions::stand_in(&format!("http://127.0.0.1:{port}"), "us-east-1")
        };
        let c = Clients::load(&opts, None).await;
        let e = s3_text(&c, "b", "k").await.expect_err("the body never ends");
        assert!(e.to_string().contains("did not arrive within 2 s"), "{e}");
    }

    #[test]
    fn output_urls_are_read_only_in_the_plans_bucket() {
        let k = "p/cmd/i-1/awsrunShellScript/PatchLinux/stdout";
        assert_eq!(s3_key_in(&format!("https://s3.us-east-1.amazonaws.com/b/{k}"), "b").as_deref(), Some(k));
        assert_eq!(s3_key_in(&format!("https://b.s3.us-east-1.amazonaws.com/{k}"), "b").as_deref(), Some(k));
        assert_eq!(s3_key_in(&format!("https://s3.us-east-1.amazonaws.com/other/{k}"), "b"), None);
        assert_eq!(s3_key_in(&format!("https://s3.us-east-1.amazonaws.com/bb/{k}"), "b"), None);
        assert_eq!(s3_key_in("", "b"), None);
        assert_eq!(s3_key_in("https://s3.amazonaws.com/b/", "b"), None);
    }
}
