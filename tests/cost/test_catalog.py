from __future__ import annotations

import json
import re
from decimal import Decimal as D

import pytest

from pvctl.cost.catalog import Catalog, CatalogError

REGIONS = {"us-central1", "southamerica-east1"}


def test_every_figure_has_a_source_a_date_and_ordered_tiers(catalog):
    assert catalog.currency == "USD"
    for key, entry in catalog.skus.items():
        assert entry["unit"] and entry["service_id"] and entry["match"], key
        rows = {row["region"] for row in entry["prices"]}
        assert rows == {"global"} or REGIONS <= rows or rows == {"dest:latin-america", "dest:north-america"}, key
        for row in entry["prices"]:
            assert row["source"] and re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["as_of"]), (key, row["region"])
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
