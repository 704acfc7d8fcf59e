"""Limits AWS enforces and moto does not (ssmpatch_standin.limits): 50 tags per resource counting the
ones it has, the tag key and value pattern, Targets (5 keys, 50 values), S3 bucket names."""

import pytest
from botocore.exceptions import ClientError

from conftest import control


def window(ssm, tags=()):
    return ssm.create_maintenance_window(Name="w-limits", Schedule="cron(0 2 ? * SUN *)", Duration=2, Cutoff=1,
                                         AllowUnassociatedTargets=False, Tags=list(tags))["WindowId"]


def tags(n, prefix="k"):
    return [{"Key": f"{prefix}{i}", "Value": "v"} for i in range(n)]


def code(e):
    return e.value.response["Error"]["Code"]


def invalid(clean, call, operation, problem):
    """``call`` is answered with a ValidationException, recorded as a violation naming ``problem``."""
    with pytest.raises(ClientError) as e:
        call()
    assert code(e) == "ValidationException"
    violations = control(clean, "/_ssmpatch/violations", "DELETE")
    assert [v["operation"] for v in violations] == [operation], violations
    assert any(problem in p for p in violations[0]["problems"]), violations


def test_add_tags_counts_the_tags_a_resource_already_has(ssm):
    wid = window(ssm, tags(30))
    ssm.add_tags_to_resource(ResourceType="MaintenanceWindow", ResourceId=wid, Tags=tags(20, "j"))
    # Overwriting existing keys adds none.
    ssm.add_tags_to_resource(ResourceType="MaintenanceWindow", ResourceId=wid, Tags=tags(10, "j"))
    with pytest.raises(ClientError) as e:
        ssm.add_tags_to_resource(ResourceType="MaintenanceWindow", ResourceId=wid, Tags=tags(1, "x"))
    assert code(e) == "TooManyTagsError"
    listed = ssm.list_tags_for_resource(ResourceType="MaintenanceWindow", ResourceId=wid)["TagList"]
    assert len(listed) == 50


def test_a_create_with_more_than_50_tags_is_refused(ssm, clean):
    invalid(clean, lambda: window(ssm, tags(51)), "CreateMaintenanceWindow", "51 tags")
    assert ssm.describe_maintenance_windows()["WindowIdentities"] == []
    window(ssm, tags(50))


@pytest.mark.parametrize("tag", [{"Key": "aws:owner", "Value": "v"}, {"Key": "AWS:owner", "Value": "v"},
                                 {"Key": "a,b", "Value": "v"}, {"Key": "k", "Value": "a*b"},
                                 {"Key": "tab\tkey", "Value": "v"}])
def test_tag_keys_and_values_follow_the_pattern(ssm, clean, tag):
    invalid(clean, lambda: window(ssm, [tag]), "CreateMaintenanceWindow", "Tags:")


def test_tag_text_allows_letters_spaces_numbers_and_the_listed_punctuation(ssm):
    window(ssm, [{"Key": "Patch Group", "Value": "web/prod+1@x=y:z_a.b-c"}, {"Key": "日本語", "Value": "ü 1"}])


def test_targets_hold_five_keys_of_fifty_values(ssm, clean):
    wid = window(ssm)

    def register(targets):
        return ssm.register_target_with_maintenance_window(WindowId=wid, ResourceType="INSTANCE", Targets=targets)

    register([{"Key": f"tag:k{i}", "Values": [f"v{j}" for j in range(50)]} for i in range(5)])
    invalid(clean, lambda: register([{"Key": f"tag:k{i}", "Values": ["v"]} for i in range(6)]),
            "RegisterTargetWithMaintenanceWindow", "6 items, at most 5")
    invalid(clean, lambda: register([{"Key": "tag:k", "Values": [f"v{j}" for j in range(51)]}]),
            "RegisterTargetWithMaintenanceWindow", "51 items, at most 50")


@pytest.mark.parametrize("name", ["ab", "a" * 64, "Upper", "under_score", "-start", "end-", "two..dots",
                                  "192.168.1.1", "xn--bucket", "sthree-bucket", "amzn-s3-demo-bucket",
                                  "b-s3alias", "b--ol-s3", "b.mrap", "b--table-s3"])
# (`--x-s3`, a directory bucket's suffix, is routed by moto as S3 Express and never reaches CreateBucket;
# limits.bucket_name_problem refuses it too: test_bucket_name_rules_without_moto.)
def test_bucket_names_follow_the_naming_rules(s3, name):
    with pytest.raises(ClientError) as e:
        s3.create_bucket(Bucket=name)
    assert code(e) == "InvalidBucketName"


def test_valid_bucket_names_are_created(s3):
    for name in ["abc", "a" * 63, "my.bucket-1", "1bucket"]:
        s3.create_bucket(Bucket=name)
    assert {"abc", "my.bucket-1"} <= {b["Name"] for b in s3.list_buckets()["Buckets"]}


def test_bucket_name_rules_without_moto():
    from ssmpatch_standin.limits import bucket_name_problem
    assert bucket_name_problem("b--x-s3") is not None
    assert bucket_name_problem("ok-bucket") is None
