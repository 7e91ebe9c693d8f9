"""The systems connectors can be made for, with their params' JSON Schema."""

from webapp.api import bp
from webapp.api.serializers import system_to_dict
from webapp.services.systems import registry


@bp.get("/systems/", strict_slashes=False)
def list_systems():
    return {"results": [system_to_dict(system) for system in registry()]}
