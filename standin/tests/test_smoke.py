"""Smoke test: the stand-in answers boto3's SSM and S3 clients like AWS would."""


def test_s3_and_maintenance_window_smoke(ssm, s3):
    s3.create_bucket(Bucket="ssmpatch-overrides")
    s3.put_object(Bucket="ssmpatch-overrides", Key="p/install.json", Body=b'[{"OperatingSystem": "AMAZON_LINUX_2023"}]',
                  ServerSideEncryption="AES256")
    got = s3.get_object(Bucket="ssmpatch-overrides", Key="p/install.json")
    assert got["Body"].read() == b'[{"OperatingSystem": "AMAZON_LINUX_2023"}]'
    assert got["ServerSideEncryption"] == "AES256"

    wid = ssm.create_maintenance_window(Name="smoke", Schedule="cron(0 3 ? * SUN *)", Duration=3, Cutoff=1,
                                        AllowUnassociatedTargets=False)["WindowId"]
    tid = ssm.register_target_with_maintenance_window(
        WindowId=wid, ResourceType="INSTANCE", Targets=[{"Key": "tag:PatchGroup", "Values": ["web"]}])["WindowTargetId"]
    task = ssm.register_task_with_maintenance_window(
        WindowId=wid, TaskArn="AWS-RunPatchBaseline", TaskType="RUN_COMMAND", Priority=1, MaxConcurrency="1",
        MaxErrors="0", Targets=[{"Key": "WindowTargetIds", "Values": [tid]}],
        TaskInvocationParameters={"RunCommand": {"Parameters": {
            "Operation": ["Install"], "BaselineOverride": ["s3://ssmpatch-overrides/p/install.json"]}}})["WindowTaskId"]
    tasks = ssm.describe_maintenance_window_tasks(WindowId=wid)["Tasks"]
    assert [t["WindowTaskId"] for t in tasks] == [task]
    targets = ssm.describe_maintenance_window_targets(WindowId=wid)["Targets"]
    assert targets[0]["Targets"] == [{"Key": "tag:PatchGroup", "Values": ["web"]}]
