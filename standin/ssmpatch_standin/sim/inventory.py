"""What Systems Manager keeps of what is reported about a managed node: compliance items, written
with PutComplianceItems' overwrite rules both by the API (``handlers.compliance``) and by the payload's
upload (``sim.payload``). Read by ListComplianceItems and the compliance summaries.
"""

from ssmpatch_standin import state


def put(backend, resource_type, resource_id, ctype, summary, items, upload_type="COMPLETE", content_hash=None):
    """Store compliance items with AWS's overwrite rules (shared by the API and the fleet)."""
    per_resource = state.of(backend).compliance.setdefault((resource_type, resource_id), {})
    current = per_resource.get(ctype)
    # ItemContentHash: "If the content hashes match, the request to put compliance information is
    # ignored." (API_PutComplianceItems)
    if content_hash and current is not None and current.get("hash") == content_hash:
        return
    summary = dict(summary)
    if upload_type == "PARTIAL" and current is not None:
        # "In PARTIAL mode, the system overwrites compliance information for a specific
        # association." — items of other associations are kept.
        ids = {i.get("Id") for i in items}
        merged = [i for i in current["items"] if i.get("Id") not in ids] + list(items)
        per_resource[ctype] = {"items": merged, "summary": summary, "hash": content_hash}
        return
    # "In COMPLETE mode, the system overwrites all existing compliance information for the
    # resource. You must provide a full list of compliance items each time you send the request."
    if not items:
        per_resource.pop(ctype, None)
        return
    per_resource[ctype] = {"items": list(items), "summary": summary, "hash": content_hash}
