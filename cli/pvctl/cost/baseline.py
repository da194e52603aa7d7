"""One baseline: what is applied, priced once with the applied phase's usage profile.

`pvctl plan`, `pvctl cost` and `pvctl ci` all price through `Pricing`, so the cost of one
state is one figure wherever it is shown, and every delta names the profiles on each side.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pvctl.cost.catalog import Catalog, default_path
from pvctl.cost.delta import CostDelta, compare
from pvctl.cost.estimate import Estimate, estimate_plan
from pvctl.cost.plan_input import resources
from pvctl.cost.usage import UsageProfile, load_usage


@dataclass(frozen=True)
class Pricing:
    """Where and how to price: the region, the catalog, pvctl.toml's usage overrides and whether
    the billing account's free tiers are this environment's to use."""

    region: str
    catalog: Catalog
    usage_overrides: dict[str, dict[str, Any]]
    free_tiers: bool = True
    usage_file: Path | None = None

    @classmethod
    def of(cls, config: Any, region: str | None = None, catalog: Catalog | None = None,
           usage_file: Path | None = None) -> Pricing:
        """From a pvctl Config (None: outside a repository, defaults apply)."""
        root = getattr(config, "repo_root", None)
        return cls(region or config.region, catalog or Catalog.load(default_path(root)),
                   dict(getattr(config, "usage_overrides", {}) or {}),
                   not getattr(config, "shared_billing_account", False), usage_file)

    def estimate(self, plan: dict[str, Any], phase: str | None, profile: str,
                 side: Literal["after", "before"] = "after", phases_file: Path | None = None) -> Estimate:
        """One side of a plan with `profile`'s usage (the phase whose traffic it carries)."""
        usage = load_usage(profile, self.usage_overrides, self.usage_file, phases_file)
        return estimate_plan(plan, self.region, usage, self.catalog, phase, side,
                             profile=profile, free_tiers=self.free_tiers)

    def applied(self, plan: dict[str, Any], applied_phase: str | None, fallback: str | None = None) -> Estimate:
        """What a plan starts from (its prior state), priced with the applied phase's profile.
        A state that does not record its phase is priced with `fallback`'s profile; nothing
        applied is an empty estimate."""
        if applied_phase is not None:
            return self.estimate(plan, applied_phase, applied_phase, side="before")
        if fallback is not None and resources(plan, "before"):
            return self.estimate(plan, None, fallback, side="before")
        return estimate_plan({"resource_changes": []}, self.region, UsageProfile(), self.catalog,
                             free_tiers=self.free_tiers)

    def plan_delta(self, plan: dict[str, Any], phase: str, applied_phase: str | None) -> CostDelta:
        """What applying `plan` (of `phase`) changes: the applied baseline → the phase's cost."""
        return compare(self.applied(plan, applied_phase, phase), self.estimate(plan, phase, phase))
