from __future__ import annotations

import json
import re
from decimal import Decimal as D

import pytest

from pvctl.cost.catalog import Catalog, CatalogError

REGIONS = {"us-central1", "southamerica-east1"}
GEOS = {"latin-america", "north-america"}


def test_every_figure_has_a_source_a_date_and_ordered_tiers(catalog):
    assert catalog.currency == "USD"
    for key, entry in catalog.skus.items():
        assert entry["unit"] and entry["service_id"] and entry["match"], key
        rows = {row["region"] for row in entry["prices"]}
        by_pair = {f"{r}>{g}" for r in REGIONS for g in GEOS}
        assert rows == {"global"} or REGIONS <= rows or by_pair <= rows or rows == {f"dest:{g}" for g in GEOS}, key
        for row in entry["prices"]:
            assert row["source"] and re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["as_of"]), (key, row["region"])
            # A figure worked out rather than read says so, and is never presented as confirmed.
            assert isinstance(row.get("verified"), bool), (key, row["region"])
            if row["source"].startswith("derived"):
                assert row["verified"] is False, (key, row["region"])
            starts = [D(str(t["from"])) for t in row["tiers"]]
            assert starts[0] == 0 and starts == sorted(starts), key


def test_tiers_are_walked_not_flattened(catalog):
    egress = catalog.price("internet_egress", "us-central1")
    assert egress.cost(D(2000)) == 1024 * D("0.12") + (2000 - 1024) * D("0.11")
    assert egress.cost(D(20480)) == 1024 * D("0.12") + (10240 - 1024) * D("0.11") + (20480 - 10240) * D("0.08")
    requests = catalog.price("run_requests", "southamerica-east1")
    assert requests.cost(D(1_999_999)) == 0 and requests.cost(D(2_000_001)) == D("0.0000004")
    logs = catalog.price("log_storage", "us-central1")
    assert logs.cost(D(50)) == 0 and logs.cost(D(51)) == D("0.50")


def test_global_rows_serve_every_catalog_region_but_regional_rows_never_borrow(tmp_path, catalog):
    assert catalog.price("armor_policy", "southamerica-east1").region == "global"
    data = json.loads(catalog.path.read_text())
    data["skus"]["sql_micro"]["prices"] = [p for p in data["skus"]["sql_micro"]["prices"] if p["region"] != "southamerica-east1"]
    f = tmp_path / "c.json"
    f.write_text(json.dumps(data))
    with pytest.raises(CatalogError, match="sql_micro.*southamerica-east1"):
        Catalog.load(f).price("sql_micro", "southamerica-east1")


def test_broken_catalog_file_is_a_clear_error(tmp_path):
    f = tmp_path / "c.json"
    f.write_text("{")
    with pytest.raises(CatalogError, match="not valid JSON"):
        Catalog.load(f)
    with pytest.raises(CatalogError, match="not found"):
        Catalog.load(tmp_path / "missing.json")


def test_rows_by_client_geography_prefer_the_pair_then_the_region(catalog):
    fill = catalog.price("cdn_cache_fill", "us-central1", "north-america")
    assert (fill.region, fill.top_rate, fill.verified) == ("us-central1>north-america", D("0.01"), True)
    assert catalog.price("cdn_cache_fill", "us-central1", "latin-america").verified is False
    # internet egress from São Paulo has one row for every destination: the region's own
    assert catalog.price("internet_egress", "southamerica-east1", "north-america").region == "southamerica-east1"
    assert catalog.price("cdn_cache_egress", "us-central1", "latin-america").region == "dest:latin-america"


def test_a_free_tier_used_elsewhere_on_the_account_leaves_the_paid_rates(catalog):
    requests = catalog.price("run_requests", "us-central1")
    assert requests.free_tier == "billing_account"
    paid = requests.without_free_tier()
    assert paid.cost(D(1_000_000)) == D("0.40") and requests.cost(D(1_000_000)) == 0
    logs = catalog.price("log_storage", "us-central1")
    assert logs.free_tier == "project"   # 50 GiB per project: every environment has its own
