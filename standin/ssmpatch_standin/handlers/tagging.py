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


def install():
    global _orig_validate
    _orig_validate = m.SimpleSystemManagerBackend._validate_resource_type_and_id
    m.SimpleSystemManagerBackend._validate_resource_type_and_id = state.locked(_validate_resource)
