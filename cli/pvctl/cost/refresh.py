"""`pvctl prices refresh`: update the catalog's figures from the Cloud Billing Catalog API.

Each catalog row names the Catalog SKU it stands for by service id and a description pattern
(``match``); a row is updated only when exactly one OnDemand SKU of that service serves its
region and fully matches the pattern. Rows with no match or several keep their figure and are
reported. The new catalog is built completely in memory and written with an atomic rename, so
a failing API call leaves the file as it was.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pvctl.core.errors import ToolError
from pvctl.core.files import write_atomic
from pvctl.cost.catalog import GLOBAL, Catalog

if TYPE_CHECKING:
    from google.cloud.billing_v1 import CloudCatalogClient

SOURCE = "Cloud Billing Catalog API (pvctl prices refresh)"
_DESTINATIONS = {"latin-america": "Latin America", "north-america": "North America"}


@dataclass
class RefreshReport:
    changed: list[tuple[str, str, str, str]] = field(default_factory=list)   # sku, region, old, new
    unchanged: list[tuple[str, str]] = field(default_factory=list)
    not_found: list[tuple[str, str]] = field(default_factory=list)
    ambiguous: list[tuple[str, str, list[str]]] = field(default_factory=list)
    skus_read: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "skus_read": self.skus_read,
            "changed": [{"sku": s, "region": r, "old": o, "new": n} for s, r, o, n in self.changed],
            "unchanged": [{"sku": s, "region": r} for s, r in self.unchanged],
            "not_found": [{"sku": s, "region": r} for s, r in self.not_found],
            "ambiguous": [{"sku": s, "region": r, "candidates": c} for s, r, c in self.ambiguous],
        }


def make_client(api_key: str | None = None, endpoint: str | None = None) -> CloudCatalogClient:
    """The official client. `endpoint` is a plain-text gRPC endpoint (a local fake or a proxy);
    otherwise an API key, else Application Default Credentials."""
    from google.cloud import billing_v1

    if endpoint:
        import grpc
        from google.auth.credentials import AnonymousCredentials
        from google.cloud.billing_v1.services.cloud_catalog.transports import (
            CloudCatalogGrpcTransport,
        )

        transport = CloudCatalogGrpcTransport(channel=grpc.insecure_channel(endpoint), credentials=AnonymousCredentials())
        return billing_v1.CloudCatalogClient(transport=transport)
    if api_key:
        return billing_v1.CloudCatalogClient(client_options={"api_key": api_key})
    return billing_v1.CloudCatalogClient()


def _pattern(entry: dict[str, Any], region: str, regions: dict[str, Any]) -> re.Pattern[str]:
    """The description a row's SKU must match. Row keys: a region, ``dest:<geo>`` (priced by
    where users are), or ``<region>><geo>`` (from a region to where users are)."""
    match = entry["match"]
    text = match.get(region, "") if isinstance(match, dict) else match
    source, _, geo = region.partition(">")
    if source.startswith("dest:"):
        source, geo = "", source[5:]
    if geo:
        text = text.replace("{destination}", re.escape(_DESTINATIONS[geo]))
    if source in regions:
        locations = "|".join(re.escape(loc) for loc in regions[source]["locations"])
        text = text.replace("{location}", f"(?:{locations})").replace("{region}", re.escape(source))
    return re.compile(text)


def _serves(sku: Any, region: str) -> bool:
    source = region.partition(">")[0]
    if source == GLOBAL or source.startswith("dest:"):
        return True
    return source in list(sku.service_regions)


def _tiers(sku: Any, factor: Decimal, now: datetime) -> list[dict[str, Any]]:
    """The rates in force now: the latest pricing entry that is already effective."""
    infos = [p for p in sku.pricing_info if p.effective_time is None or p.effective_time <= now] or list(sku.pricing_info)
    rates = infos[-1].pricing_expression.tiered_rates
    tiers = []
    for rate in rates:
        usd = (Decimal(rate.unit_price.units) + Decimal(rate.unit_price.nanos) / Decimal(10**9)) * factor
        start = Decimal(str(rate.start_usage_amount)) / factor
        tiers.append({"from": int(start) if start == int(start) else float(start), "usd": _plain(usd)})
    return tiers


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text if "." not in text else text.rstrip("0").rstrip(".") or "0"


def _same(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> bool:
    norm = lambda ts: [(Decimal(str(t["from"])), Decimal(str(t["usd"]))) for t in ts]  # noqa: E731
    return norm(old) == norm(new)


def refreshed(catalog: Catalog, client: Any, now: datetime | None = None) -> tuple[dict[str, Any], RefreshReport]:
    """A new catalog dict and what changed; raises ToolError if any API call fails."""
    now = now or datetime.now(UTC)
    data = copy.deepcopy(catalog.data)
    report = RefreshReport()
    by_service: dict[str, list[Any]] = {}
    for service_id in sorted({e["service_id"] for e in data["skus"].values()}):
        try:
            skus = list(client.list_skus(request={"parent": f"services/{service_id}", "currency_code": catalog.currency}))
        except Exception as exc:  # any transport or API error: nothing is written
            raise ToolError(f"Cloud Billing Catalog API call for service {service_id} failed ({type(exc).__name__}: {exc})",
                            "check the API key (--api-key or PVCTL_BILLING_API_KEY) and network; the catalog was left unchanged") from None
        by_service[service_id] = [s for s in skus if s.category.usage_type == "OnDemand"]
        report.skus_read += len(skus)
    today = now.date().isoformat()
    for key, entry in data["skus"].items():
        factor = Decimal(str(entry.get("catalog_unit_factor", 1)))
        for row in entry["prices"]:
            region = row["region"]
            pattern = _pattern(entry, region, data["regions"])
            hits = [s for s in by_service[entry["service_id"]] if pattern.fullmatch(s.description) and _serves(s, region)]
            if not hits:
                report.not_found.append((key, region))
                continue
            if len(hits) > 1:
                report.ambiguous.append((key, region, sorted(f"{s.sku_id} {s.description}" for s in hits)))
                continue
            sku = hits[0]
            tiers = _tiers(sku, factor, now)
            if _same(row["tiers"], tiers):
                report.unchanged.append((key, region))
            else:
                report.changed.append((key, region, _describe(row["tiers"]), _describe(tiers)))
            row.update(tiers=tiers, sku_id=sku.sku_id, description=sku.description, source=SOURCE,
                       as_of=today, verified=True)
    return data, report


def _describe(tiers: list[dict[str, Any]]) -> str:
    return ", ".join(f"{t['usd']} from {t['from']}" if t["from"] else str(t["usd"]) for t in tiers)


def refresh_catalog(source: Catalog, target: Path, client: Any, now: datetime | None = None) -> RefreshReport:
    data, report = refreshed(source, client, now)
    # The catalog is public list prices: readable by all, like the packaged one.
    write_atomic(target, json.dumps(data, indent=1) + "\n", mode=0o644)
    return report
