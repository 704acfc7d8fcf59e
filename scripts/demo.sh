#!/usr/bin/env bash
# The main job, end to end, on a fresh machine — against the local AWS stand-in, never real AWS:
#   scripts/demo.sh
# 1. sets up the machine (scripts/setup.sh) and builds the CLI;
# 2. starts the stand-in on 127.0.0.1 and creates the plan's S3 bucket there;
# 3. explains the seed plan, applies it, applies it again ("no changes"), prints its calendar;
# 4. shows what was created, read back with boto3 (not with ssmpatch);
# 5. runs the install window on a simulated node (the stand-in's fleet) whose update installs,
#    and refreshes its compliance with `ssmpatch refresh`: the healthy run, all COMPLIANT;
# 6. then, clearly labelled, a DEMONSTRATION of a failure on purpose: a second simulated node
#    whose update is set to fail (the stand-in's `FailInstall`), the window run again (its task
#    FAILED), and what ssmpatch reports for it: refresh writes the Failed package, NON_COMPLIANT.
# Set SSMPATCH_DEMO_KEEP=1 to leave the stand-in running afterwards.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
plan="${1:-examples/seed-monthly.toml}"
venv="${SSMPATCH_VENV:-$root/.venv}"
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

scripts/setup.sh >/dev/null 2>&1 || scripts/setup.sh
cargo build --locked -q -p ssmpatch-cli
# Where cargo put it (CARGO_TARGET_DIR or a config file may move target/).
target="$(cargo metadata --format-version 1 --no-deps --locked | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
bin="$target/debug/ssmpatch"

scripts/standin.sh start
if [[ -z "${SSMPATCH_DEMO_KEEP:-}" ]]; then trap 'scripts/standin.sh stop' EXIT; fi
eval "$(scripts/standin.sh env)"
region="$(sed -n 's/^region = "\(.*\)"/\1/p' "$plan")"
bucket="$(sed -n '/^\[s3\]/,/^\[/s/^bucket = "\(.*\)"/\1/p' "$plan")"
"$venv/bin/python" - "$region" "$bucket" <<'PY'
import sys, boto3
region, bucket = sys.argv[1], sys.argv[2]
s3 = boto3.client("s3", region_name=region)
try:
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
except s3.exceptions.BucketAlreadyOwnedByYou:
    pass
print(f"stand-in bucket s3://{bucket} ready in {region}")
PY
# A simulated Amazon Linux 2023 node in the plan's patch group, missing a critical update;
# `fail` sets the stand-in's FailInstall on the update: its install fails (the demonstration).
add_node() {
    "$venv/bin/python" - "$region" "$1" "$2" <<'PY'
import json, os, sys, urllib.request
region, instance, fail = sys.argv[1], sys.argv[2], sys.argv[3] == "fail"
update = {"Name": "openssl", "Arch": "x86_64", "Version": "3.0.8", "Release": "1.amzn2023", "Epoch": "1",
          "Classification": "Security", "Severity": "Critical", "ReleaseDate": "2026-01-01T00:00:00Z",
          "CVEIds": ["CVE-2026-0001"], "FailInstall": fail}
node = {"InstanceId": instance, "OperatingSystem": "AMAZON_LINUX_2023", "Tags": {"Patch Group": "web"},
        "Installed": [{"Name": "openssl", "Arch": "x86_64", "Version": "3.0.7", "Release": "1.amzn2023", "Epoch": "1"}],
        "Available": [update]}
url = f"{os.environ['AWS_ENDPOINT_URL']}/_ssmpatch/nodes?region={region}"
urllib.request.urlopen(urllib.request.Request(url, method="POST", data=json.dumps({"region": region, "nodes": [node]}).encode()))
print(f"stand-in node {instance} (Patch Group web) registered: openssl 3.0.7 installed, 3.0.8 (Critical) available"
      + (", set to FAIL to install (on purpose)" if fail else ""))
PY
}
healthy_node=i-0demo000000000001
failing_node=i-0demo000000000002
add_node "$healthy_node" ok

say "ssmpatch explain $plan"
"$bin" explain "$plan"
say "ssmpatch plan $plan"
"$bin" plan "$plan"
say "ssmpatch apply $plan --yes"
"$bin" apply "$plan" --yes
say "ssmpatch apply $plan --yes    # again: nothing to do"
"$bin" apply "$plan" --yes
say "ssmpatch iam-policy $plan --node    # the nodes' instance profile: read the override, write output"
node_policy="$(mktemp)"
"$bin" iam-policy "$plan" --node | tee "$node_policy"
# On AWS: attach it to the nodes' role beside AmazonSSMManagedInstanceCore. Here: the stand-in's
# simulated nodes get it (without it the install cannot read its override and fails, exit 162).
"$venv/bin/python" - "$region" "$node_policy" <<'PY'
import json, os, sys, urllib.request
region, path = sys.argv[1], sys.argv[2]
body = {"region": region, "policy": json.load(open(path))}
url = f"{os.environ['AWS_ENDPOINT_URL']}/_ssmpatch/node-roles?region={region}"
urllib.request.urlopen(urllib.request.Request(url, method="POST", data=json.dumps(body).encode()))
print("stand-in nodes' instance-profile role granted that policy")
PY
rm -f "$node_policy"
say "ssmpatch calendar $plan --count 4"
"$bin" calendar "$plan" --count 4

say "what was created (read back with boto3)"
"$venv/bin/python" - "$region" "$bucket" <<'PY'
import json, sys, boto3
region, bucket = sys.argv[1], sys.argv[2]
ssm, s3 = boto3.client("ssm", region_name=region), boto3.client("s3", region_name=region)
for w in ssm.describe_maintenance_windows()["WindowIdentities"]:
    if not w["Name"].startswith("ssmpatch-"):
        continue
    print(f"window {w['Name']}: {w['Schedule']} {w.get('ScheduleTimezone', 'UTC')}"
          f"{' offset %d' % w['ScheduleOffset'] if w.get('ScheduleOffset') else ''} ({w['Duration']}h, cutoff {w['Cutoff']}h)")
    for t in ssm.describe_maintenance_window_tasks(WindowId=w["WindowId"])["Tasks"]:
        full = ssm.get_maintenance_window_task(WindowId=w["WindowId"], WindowTaskId=t["WindowTaskId"])
        params = full["TaskInvocationParameters"]["RunCommand"]["Parameters"]
        print(f"  task {t['Name']} priority {t['Priority']}: {json.dumps(params)}")
for a in ssm.list_associations()["Associations"]:
    if a.get("AssociationName", "").startswith("ssmpatch-"):
        print(f"association {a['AssociationName']}: {a.get('ScheduleExpression')}")
for b in ssm.describe_patch_baselines(Filters=[{"Key": "OWNER", "Values": ["Self"]}])["BaselineIdentities"]:
    full = ssm.get_patch_baseline(BaselineId=b["BaselineId"])
    days = [r.get("ApproveAfterDays") for r in full["ApprovalRules"]["PatchRules"]]
    print(f"baseline {b['BaselineName']} ({b['OperatingSystem']}): approve after {days} days, patch groups {full['PatchGroups']}")
for o in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
    head = s3.head_object(Bucket=bucket, Key=o["Key"])
    doc = json.loads(s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read())
    days = [r.get("ApproveAfterDays") for d in doc for r in d["ApprovalRules"]["PatchRules"]]
    print(f"s3://{bucket}/{o['Key']}: {head.get('ServerSideEncryption')}, approve after {days} days")
PY

name="$(sed -n 's/^name = "\(.*\)"/\1/p' "$plan")"
# The plan's install window run now (on AWS its schedule does this), with each task's status
# and each node's patch state afterwards.
run_install_window() {
    "$venv/bin/python" - "$region" "$name" "$@" <<'PY'
import json, os, sys, urllib.request, boto3
region, name, nodes = sys.argv[1], sys.argv[2], sys.argv[3:]
ssm = boto3.client("ssm", region_name=region)
w = next(w for w in ssm.describe_maintenance_windows()["WindowIdentities"] if w["Name"] == f"ssmpatch-{name}-install")
url = f"{os.environ['AWS_ENDPOINT_URL']}/_ssmpatch/windows/{w['WindowId']}/execute?region={region}"
run = json.loads(urllib.request.urlopen(urllib.request.Request(url, method="POST", data=b"{}")).read())
for t in run["Tasks"]:
    cmd = ssm.list_commands(CommandId=t["CommandIds"][0])["Commands"][0]
    p = cmd["Parameters"]
    print(f"task {t['TaskArn']} Operation={p['Operation'][0]}"
          f"{' with BaselineOverride' if p.get('BaselineOverride', [''])[0] else ' without override'}: {t['Status']}")
for s in ssm.describe_instance_patch_states(InstanceIds=nodes)["InstancePatchStates"]:
    print(f"patch state of {s['InstanceId']}: last {s['Operation']}, {s['MissingCount']} missing, {s['FailedCount']} failed"
          " (from the scan without override that `rescan` added after the install)")
PY
}
# The compliance items refresh wrote, read back.
compliance_items() {
    "$venv/bin/python" - "$region" "$@" <<'PY'
import sys, boto3
ssm = boto3.client("ssm", region_name=sys.argv[1])
for node in sys.argv[2:]:
    for i in ssm.list_compliance_items(ResourceIds=[node], ResourceTypes=["ManagedInstance"])["ComplianceItems"]:
        print(f"{node}  {i['ComplianceType']:16} {i['Id']:18} {i['Status']:14} {i['Severity']:9} {i['Details'].get('PatchState', '')}")
PY
}

say "run the install window now (the stand-in's control API; on AWS its schedule does this)"
run_install_window "$healthy_node"
say "ssmpatch refresh $plan --strategy put-compliance-items"
"$bin" refresh "$plan" --strategy put-compliance-items
say "compliance items written (read back with boto3)"
compliance_items "$healthy_node"

banner() { printf '\n'; printf '\033[1;33m%s\033[0m\n' "$@"; }
banner "================================================================================" \
       "DEMONSTRATION, ON PURPOSE: what ssmpatch reports when a package fails to install." \
       "The healthy run is above. Below, a second simulated node's openssl update is set" \
       "to fail (the stand-in's FailInstall): the FAILED task and the NON_COMPLIANT items" \
       "are the expected result, not a problem with the demo or with your machine." \
       "================================================================================"
add_node "$failing_node" fail
say "run the install window again: both nodes"
run_install_window "$healthy_node" "$failing_node"
say "ssmpatch refresh $plan --strategy put-compliance-items"
"$bin" refresh "$plan" --strategy put-compliance-items
say "compliance items written (read back with boto3)"
compliance_items "$healthy_node" "$failing_node"
say "ssmpatch status $plan    # is each node's report current? (exit 6 when one is not)"
"$bin" status "$plan" --html "$root/target/demo-status.html" \
    || printf '(exit %s: some node is not current; expected here: the failed install, and the scan whose window the demo did not run)\n' "$?"
printf 'The same report as one HTML page: %s\n' "$root/target/demo-status.html"
banner "End of the demonstration: $failing_node's install failed (simulated, on purpose)." \
       "AWS's own Patch item says only Missing (from the rescan after the install); the" \
       "Custom:ssmpatch item ssmpatch wrote says Failed. $healthy_node stays COMPLIANT."
