"""Tags on the resources the stand-in adds or moto refuses: AddTagsToResource / RemoveTagsFromResource /
ListTagsForResource with ResourceType ``Association``, ``PatchBaseline`` and ``ManagedInstance`` (moto's
own tag store, once the resource id is known to exist).
"""

from moto.ssm import models as m

from ssmpatch_standin import state


def _validate_resource(self, resource_type, resource_id):
    if resource_type == "Association":
        if resource_id not in state.of(self).associations:
            raise m.InvalidResourceId()
        return resource_id
    if resource_type == "PatchBaseline":
        # Baselines are taggable (AddTagsToResource ResourceType PatchBaseline); moto 5.2.5
        # rejects every baseline id here.
        if resource_id not in self.baselines:
            raise m.InvalidResourceId()
        return resource_id
    if resource_type == "ManagedInstance":
        # Managed nodes of the simulated fleet; their tags are the node's tags (sim.fleet.register).
        if resource_id not in state.of(self).nodes:
            raise m.InvalidResourceId()
        return resource_id
    return _orig_validate(self, resource_type, resource_id)


def _changes_targets(orig):
    """A node's tags decide which tag targets it is in: after a tag change on a ManagedInstance the
    targets are evaluated again ("when target changes are detected", API_CreateAssociation)."""
    def call(self, resource_type, resource_id, *args, **kwargs):
        out = orig(self, resource_type, resource_id, *args, **kwargs)
        if resource_type == "ManagedInstance":
            state.fleet_changed(self)
        return out
    return state.locked(call)


def install():
    global _orig_validate
    B = m.SimpleSystemManagerBackend
    _orig_validate = B._validate_resource_type_and_id
    B._validate_resource_type_and_id = state.locked(_validate_resource)
    B.add_tags_to_resource = _changes_targets(B.add_tags_to_resource)
    B.remove_tags_from_resource = _changes_targets(B.remove_tags_from_resource)
