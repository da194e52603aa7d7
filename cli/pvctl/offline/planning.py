"""Plan a resource change the way an SDK-based provider would, from the schema alone.

Creating: the configuration, with every computed attribute the configuration leaves
unset planned as unknown ("known after apply"), except the few values the real provider
also knows at plan time (`project`/`region`/`zone` from the provider block, and the
label maps it derives from `labels`). Updating: Terraform's proposed state already keeps
prior values for unset computed attributes; they stay as they are. Replacing (an
immutable argument changed, see `immutable`): planned like a create.
Always: unset arguments with a schema Default get it and `deletion_policy` gets the
provider's (rules from the provider source, `rules`), CustomizeDiff rewrites apply
(`diff_rules`). Write-only attributes are always planned null, as Terraform requires.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pvctl.offline import diff_rules
from pvctl.offline.cty import UNKNOWN
from pvctl.offline.immutable import requires_replace
from pvctl.offline.rules import TypeRules, rules_for
from pvctl.offline.schema import Block

ATTRIBUTION_LABEL = ("goog-terraform-provisioned", "true")
_LABEL_MAPS = ("effective_labels", "terraform_labels")


@dataclass
class ProviderDefaults:
    """What ConfigureProvider told us that the real provider also uses while planning."""

    project: str | None = None
    region: str | None = None
    zone: str | None = None
    default_labels: dict[str, str] = field(default_factory=dict)
    attribution_label: bool = True
    deletion_policy: str | None = None

    @classmethod
    def from_config(cls, config: dict | None) -> "ProviderDefaults":
        config = config or {}

        def known(name):
            value = config.get(name)
            return None if value is UNKNOWN else value

        labels = known("default_labels") or {}
        attribution = known("add_terraform_attribution_label")
        return cls(known("project"), known("region"), known("zone"), dict(labels), attribution is not False,
                   known("deletion_policy") or None)


@dataclass
class Plan:
    planned: Any
    requires_replace: list[list[str | int]]


def plan_change(type_name: str, block: Block, prior: Any, proposed: Any, config: Any, defaults: ProviderDefaults) -> Plan:
    if proposed is None:  # destroy
        return Plan(None, [])
    replace: list[list[str | int]] = []
    creating = prior is None
    rules = rules_for(type_name)
    proposed = _with_defaults(rules, block, proposed)
    proposed = diff_rules.adjust(type_name, prior, proposed)
    if not creating:
        replace = requires_replace(type_name, block, prior, proposed)
        creating = bool(replace)
    planned = _plan_block(block, proposed, config, creating)
    _plan_top_level(block, planned, config, prior, defaults, creating)
    _plan_deletion_policy(rules, block, planned, config, defaults)
    return Plan(planned, replace)


def _with_defaults(rules: TypeRules, block: Block, proposed: dict) -> dict:
    """Unset arguments with a schema Default planned with it, as the SDK does."""
    out = dict(proposed)
    for path, value in rules.defaults:
        _set_default(block, out, path.split("."), value)
    return out


def _plan_deletion_policy(rules: TypeRules, block: Block, planned: dict, config: Any,
                          defaults: ProviderDefaults) -> None:
    # tpgresource.DefaultProviderDeletionPolicy: the configured value, else the provider
    # block's, else the resource's own default; known at plan time, also on updates.
    configured = (config or {}).get("deletion_policy")
    if rules.deletion_policy_default and "deletion_policy" in block.attributes and configured is None:
        planned["deletion_policy"] = defaults.deletion_policy or rules.deletion_policy_default


def _set_default(block: Block, value: dict, steps: list[str], default: Any) -> None:
    name = steps[0]
    if len(steps) == 1:
        attr = block.attributes.get(name)
        if attr is not None and not attr.computed and value.get(name) is None:
            value[name] = default
        return
    nested = block.block_types.get(name)
    inner = value.get(name)
    if nested is None or inner is None or inner is UNKNOWN:
        return
    items = inner if isinstance(inner, list) else [inner]
    copies = [dict(item) if isinstance(item, dict) else item for item in items]
    for item in copies:
        if isinstance(item, dict):
            _set_default(nested.block, item, steps[1:], default)
    value[name] = copies if isinstance(inner, list) else copies[0]


def _plan_block(block: Block, proposed: Any, config: Any, creating: bool) -> Any:
    if proposed is None or proposed is UNKNOWN:
        return proposed
    config = config if isinstance(config, dict) else {}
    out = dict(proposed)
    for name, attr in block.attributes.items():
        if attr.write_only:
            out[name] = None
        elif attr.computed and config.get(name) is None and creating:
            out[name] = UNKNOWN
    for name, nested in block.block_types.items():
        value, conf = out.get(name), config.get(name)
        if nested.nesting in ("single", "group"):
            out[name] = _plan_block(nested.block, value, conf, creating)
        elif nested.nesting in ("list", "set") and isinstance(value, list):
            confs = conf if isinstance(conf, list) else []
            out[name] = [
                _plan_block(nested.block, item, confs[i] if i < len(confs) else None, creating)
                for i, item in enumerate(value)
            ]
        elif nested.nesting == "map" and isinstance(value, dict):
            confs = conf if isinstance(conf, dict) else {}
            out[name] = {k: _plan_block(nested.block, v, confs.get(k), creating) for k, v in value.items()}
    return out


def _plan_top_level(block: Block, planned: dict, config: Any, prior: Any, defaults: ProviderDefaults, creating: bool) -> None:
    config = config or {}
    attrs = block.attributes
    for name in ("project", "region", "zone"):
        attr = attrs.get(name)
        default = getattr(defaults, name)
        if attr and attr.computed and config.get(name) is None and default and planned.get(name) in (None, UNKNOWN):
            planned[name] = default
    if "labels" not in attrs or not all(m in attrs for m in _LABEL_MAPS):
        return
    labels = config.get("labels")
    if labels is UNKNOWN or (isinstance(labels, dict) and UNKNOWN in labels.values()):
        return
    if not creating and prior is not None and prior.get("labels") == labels:
        return
    merged = {**defaults.default_labels, **(labels or {})}
    # The provider adds its attribution label at creation only (strategy CREATION_ONLY).
    had_attribution = ATTRIBUTION_LABEL[0] in ((prior or {}).get("effective_labels") or {})
    if defaults.attribution_label and (creating or had_attribution):
        merged[ATTRIBUTION_LABEL[0]] = ATTRIBUTION_LABEL[1]
    planned["terraform_labels"] = dict(merged)
    planned["effective_labels"] = merged
