"""The pricing catalog: list prices as data (``data/prices/gcp.json``), looked up per SKU and region.

Every figure carries its source, the date it was read and whether it was verified against a
published list price; money is Decimal so tier arithmetic is exact.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from pvctl.core.errors import ExitCode, PvctlError

GLOBAL = "global"


class CatalogError(PvctlError):
    """The catalog cannot answer: unknown region, missing SKU row, unreadable file."""

    exit_code = ExitCode.CONFIG


@dataclass(frozen=True)
class Tier:
    start: Decimal
    usd: Decimal


@dataclass(frozen=True)
class Price:
    sku: str
    region: str
    unit: str
    tiers: tuple[Tier, ...]
    source: str
    as_of: str
    verified: bool
    free_tier: str | None = None    # who a $0 first tier belongs to: "billing_account" or "project"

    def without_free_tier(self) -> Price:
        """The price once someone else on the billing account has used the free tier: the first
        paid rate applies from the first unit."""
        paid = [t for t in self.tiers if t.usd]
        if not paid or self.tiers[0].usd:
            return self
        return replace(self, tiers=(Tier(Decimal(0), paid[0].usd), *paid[1:]), free_tier=None)

    @property
    def top_rate(self) -> Decimal:
        """The first non-zero rate: what one more unit costs once free tiers are used up."""
        return next((t.usd for t in self.tiers if t.usd), Decimal(0))

    def cost(self, quantity: Decimal) -> Decimal:
        """Walk the tiers: a tier's rate applies to the units past its start, up to the next start."""
        total = Decimal(0)
        for i, tier in enumerate(self.tiers):
            if quantity <= tier.start:
                break
            end = self.tiers[i + 1].start if i + 1 < len(self.tiers) else quantity
            total += (min(quantity, end) - tier.start) * tier.usd
        return total


def packaged_path() -> Path:
    return Path(str(resources.files("pvctl") / "data" / "prices" / "gcp.json"))


def user_path(repo_root: Path) -> Path:
    return repo_root / ".pvctl" / "prices" / "gcp.json"


def default_path(repo_root: Path | None = None) -> Path:
    """A refreshed user copy wins over the packaged catalog."""
    if repo_root is not None and user_path(repo_root).is_file():
        return user_path(repo_root)
    return packaged_path()


class Catalog:
    def __init__(self, data: dict[str, Any], path: Path | None = None) -> None:
        self.data = data
        self.path = path
        self.currency: str = data["currency"]
        self.hours_per_month = Decimal(data["hours_per_month"])
        self.regions: dict[str, dict[str, Any]] = data["regions"]
        self.skus: dict[str, dict[str, Any]] = data["skus"]
        self.free_credits: dict[str, dict[str, Any]] = data.get("free_credits", {})

    @classmethod
    def load(cls, path: Path | None = None) -> Catalog:
        path = path or packaged_path()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise CatalogError(f"price catalog {path} not found", "run `pvctl prices refresh` or reinstall pvctl") from None
        except json.JSONDecodeError as exc:
            raise CatalogError(f"price catalog {path} is not valid JSON ({exc.msg}, line {exc.lineno})",
                               "restore it from the package or run `pvctl prices refresh`") from None
        return cls(data, path)

    def check_region(self, region: str) -> None:
        if region not in self.regions:
            known = ", ".join(sorted(self.regions))
            raise CatalogError(f"region {region!r} is not in the price catalog", f"use one of: {known}")

    def run_tier(self, region: str) -> int:
        self.check_region(region)
        return int(self.regions[region]["run_tier"])

    def price(self, sku: str, region: str, geo: str | None = None) -> Price:
        """The row for `region` (with `geo`, first the row from the region to that client
        geography, then the one priced by destination alone), else the SKU's global row;
        never another region's price."""
        if not region.startswith("dest:"):
            self.check_region(region)
        entry = self.skus.get(sku)
        if entry is None:
            raise CatalogError(f"SKU {sku!r} is not in the price catalog", "run `pvctl prices refresh` or update pvctl")
        rows = {row["region"]: row for row in entry["prices"]}
        keys = [f"{region}>{geo}", f"dest:{geo}"] if geo else []
        row = next((rows[k] for k in [*keys, region, GLOBAL] if k in rows), None)
        if row is None:
            where = f"{region} to {geo}" if geo else region
            raise CatalogError(f"SKU {sku!r} has no price for {where!r}",
                               "add the row to the catalog or run `pvctl prices refresh`")
        tiers = tuple(Tier(Decimal(str(t["from"])), Decimal(t["usd"])) for t in row["tiers"])
        return Price(sku, row["region"], entry["unit"], tiers, row["source"], row["as_of"],
                     bool(row.get("verified", True)), entry.get("free_tier"))

    def unit(self, sku: str) -> str:
        return self.skus[sku]["unit"]

    def as_of(self) -> str:
        """The newest date among the figures."""
        return max(row["as_of"] for entry in self.skus.values() for row in entry["prices"])
