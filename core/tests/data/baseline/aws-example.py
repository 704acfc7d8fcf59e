"""Writes aws-example.json exactly as AWS's override generator would.

AWS's generator (patch-manager-baselineoverride-parameter) does:
    json.dumps(baseline_overrides, indent=4, sort_keys=True, default=str)
The first element is AWS's documented example element (AMAZON_LINUX_2); the second is shaped
after the second element of that example (CENTOS, ApproveUntilDate 2021-01-06, approved
`open-ssl*`, rejected `python*`) plus a source whose configuration has non-ASCII text, a
newline and a `$`, to pin the ensure_ascii escaping. Run: python3 aws-example.py
"""
import json
import pathlib

overrides = [
    {
        "ApprovalRules": {"PatchRules": [{"ApproveAfterDays": 0, "ComplianceLevel": "UNSPECIFIED", "EnableNonSecurity": False,
            "PatchFilterGroup": {"PatchFilters": [{"Key": "PRODUCT", "Values": ["*"]}, {"Key": "CLASSIFICATION", "Values": ["*"]}, {"Key": "SEVERITY", "Values": ["*"]}]}}]},
        "ApprovedPatches": [], "ApprovedPatchesComplianceLevel": "UNSPECIFIED", "ApprovedPatchesEnableNonSecurity": False,
        "GlobalFilters": {"PatchFilters": []}, "OperatingSystem": "AMAZON_LINUX_2",
        "RejectedPatches": [], "RejectedPatchesAction": "ALLOW_AS_DEPENDENCY", "Sources": [],
    },
    {
        "ApprovalRules": {"PatchRules": [{"ApproveUntilDate": "2021-01-06", "ComplianceLevel": "UNSPECIFIED", "EnableNonSecurity": True,
            "PatchFilterGroup": {"PatchFilters": [{"Key": "PRODUCT", "Values": ["*"]}, {"Key": "CLASSIFICATION", "Values": ["*"]}, {"Key": "SEVERITY", "Values": ["*"]}]}}]},
        "ApprovedPatches": ["open-ssl*"], "ApprovedPatchesComplianceLevel": "UNSPECIFIED", "ApprovedPatchesEnableNonSecurity": False,
        "GlobalFilters": {"PatchFilters": []}, "OperatingSystem": "CENTOS",
        "RejectedPatches": ["python*"], "RejectedPatchesAction": "ALLOW_AS_DEPENDENCY",
        "Sources": [{"Configuration": "[main]\nname=D\u00e9p\u00f4t \u2713 \U0001F600\nbaseurl=https://repo.example/$basearch", "Name": "local-repo", "Products": ["CentOS7"]}],
    },
]

out = pathlib.Path(__file__).with_name("aws-example.json")
out.write_text(json.dumps(overrides, indent=4, sort_keys=True, default=str))
