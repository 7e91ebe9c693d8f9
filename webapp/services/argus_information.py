"""``TICKET_INFORMATION``: the target, labels and custom fields of Argus settings.

The target keys each tracker declares (``ArgusMapping.information``); the rest every
tracker shares: ``labels_set`` → default labels, ``labels_mapping`` → categories,
``custom_fields_set`` → custom field defaults, where the system has such params.
"""

from __future__ import annotations

from typing import Any

from webapp.services.argus_export import TAG_PREFIX, Unmapped
from webapp.trackers.system import System

INFORMATION = "TICKET_INFORMATION"


def read_information(
    value: Any,
    system: System,
    params: dict[str, Any],
    sources: dict[str, str],
    errors: dict[str, list[str]],
    unmapped: list[Unmapped],
) -> list[dict[str, str]]:
    """Target and extras into ``params``; ``labels_mapping`` into categories (returned).

    Adds problems to ``errors`` (keyed ``settings.TICKET_INFORMATION.<key>``) and keys
    with no place here to ``unmapped``; ``sources`` notes which key filled each param.
    """
    if value is None:
        return []
    if not isinstance(value, dict):
        errors[f"settings.{INFORMATION}"] = ["Give the ticket information as a dictionary."]
        return []
    mapping = system.argus
    assert mapping is not None
    known = {info.key: info for info in mapping.information}
    categories: list[dict[str, str]] = []
    for key, item in value.items():
        path = f"{INFORMATION}.{key}"
        if key in known:
            found = known[key].to_params(str(item).strip()) if isinstance(item, str | int) else None
            if found is None:
                errors[f"settings.{path}"] = [f"Write it as {known[key].shape} (text)."]
                continue
            params.update(found)
            sources.update(dict.fromkeys(found, path))
        elif key == "labels_set":
            _labels_set(item, system, path, params, sources, errors, unmapped)
        elif key == "labels_mapping":
            categories = _labels_mapping(item, path, errors, unmapped)
        elif key == "custom_fields_set":
            _custom_fields_set(item, system, path, params, sources, errors, unmapped)
        elif key == "custom_fields_mapping":
            unmapped.append(
                Unmapped(
                    path,
                    "Fills custom fields from an Argus incident's attributes and tags; "
                    f"{system.name} connectors have no per-category custom field mappings yet.",
                )
            )
        else:
            unmapped.append(Unmapped(path, f"Not a setting of the {system.name} plugin."))
    return categories


def _labels_set(item, system, path, params, sources, errors, unmapped) -> None:
    param = system.argus.labels_param
    if not isinstance(item, list) or not all(isinstance(label, str) for label in item):
        errors[f"settings.{path}"] = ["Give the labels as a list of texts."]
    elif param is None:
        unmapped.append(Unmapped(path, f"{system.name} has no labels."))
    else:
        params[param] = ", ".join(label.strip() for label in item if label.strip())
        sources[param] = path


def _labels_mapping(item, path, errors, unmapped) -> list[dict[str, str]]:
    if not isinstance(item, list):
        errors[f"settings.{path}"] = ['Give a list of incident attributes and {"tag": name}.']
        return []
    categories = []
    for index, entry in enumerate(item):
        if isinstance(entry, str) and entry.strip():
            categories.append({"name": entry.strip(), "label": entry.strip()})
        elif isinstance(entry, dict) and isinstance(entry.get("tag"), str) and len(entry) == 1:
            tag = entry["tag"].strip()
            categories.append({"name": TAG_PREFIX + tag, "label": tag})
        else:
            unmapped.append(
                Unmapped(f"{path}.{index}", 'Neither an attribute name nor {"tag": name}.')
            )
    return categories


def _custom_fields_set(item, system, path, params, sources, errors, unmapped) -> None:
    param = system.argus.custom_fields_param
    if not isinstance(item, dict):
        errors[f"settings.{path}"] = ["Give the custom fields as a dictionary of name: value."]
        return
    if param is None:
        unmapped.append(
            Unmapped(path, f"{system.name} connectors have no custom field defaults yet.")
        )
        return
    fields = {}
    for name, field_value in item.items():
        if isinstance(field_value, str | int | float) and not isinstance(field_value, bool):
            fields[str(name)] = str(field_value)
        else:
            unmapped.append(Unmapped(f"{path}.{name}", "Only text and numbers can be mapped."))
    params[param] = fields
    sources[param] = path
