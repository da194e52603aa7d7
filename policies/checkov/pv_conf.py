"""Helpers shared by pvctl's checkov policies (checkov puts this folder on sys.path).

checkov hands a check every attribute wrapped in a list (`{"ingress": ["INGRESS_TRAFFIC_ALL"]}`),
both for HCL and for plan JSON; these helpers unwrap it and tell apart values that
cannot be judged yet (an unrendered `var.x`, or a plan value known only after apply).
"""

from __future__ import annotations

import re
from typing import Any

from checkov.common.util.consts import TRUE_AFTER_UNKNOWN

PUBLIC_MEMBERS = ("allUsers", "allAuthenticatedUsers")
_REFERENCES = ("var.", "local.", "module.", "data.")
_API_NAME = re.compile(r"(^|[-_.])api($|[-_.])")


def value(conf: dict[str, Any], key: str, default: Any = None) -> Any:
    found = conf.get(key)
    if isinstance(found, list):
        return found[0] if found else default
    return default if found is None else found


def blocks(conf: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """Nested blocks named `key`, flattened (HCL gives [[{...}]] or [{...}] depending on nesting)."""
    found: list[dict[str, Any]] = []
    for item in conf.get(key) or []:
        if isinstance(item, dict):
            found.append(item)
        elif isinstance(item, list):
            found.extend(i for i in item if isinstance(i, dict))
    return found


def undecided(val: Any) -> bool:
    """True for a value a static scan cannot judge: an unrendered reference or unknown until apply."""
    if val == TRUE_AFTER_UNKNOWN:
        return True
    return isinstance(val, str) and ("${" in val or val.startswith(_REFERENCES))


def is_set(val: Any) -> bool:
    """A non-empty value, or a reference to another resource (its id is known at apply)."""
    return val not in (None, "", [], {})


def names_the_api(text: Any) -> bool:
    return isinstance(text, str) and bool(_API_NAME.search(text))


def is_api_service(conf: dict[str, Any]) -> bool:
    """The FastAPI service: named `<prefix>-api`, labelled component/role = api, or `*.api` in Terraform."""
    labels = value(conf, "labels") or {}
    if isinstance(labels, dict) and any(labels.get(k) == "api" for k in ("component", "role", "app")):
        return True
    address = conf.get("__address__", "")
    return names_the_api(value(conf, "name")) or address.endswith(".api") or ".api[" in address


__all__ = ["PUBLIC_MEMBERS", "value", "blocks", "undecided", "is_set", "names_the_api", "is_api_service"]
