"""`pvctl prices refresh` against a local Catalog API served over gRPC, driven through google-cloud-billing."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal as D

import pytest
from typer.testing import CliRunner

from pvctl.app import app
from pvctl.core.errors import ToolError
from pvctl.cost.catalog import Catalog, packaged_path
from pvctl.cost.refresh import make_client, refresh_catalog
from tests.cost.fake_catalog import FakeCatalog, sku

RUN, NET, SQL = "152E-C115-5142", "E505-1604-58F8", "9662-B51E-5089"


def fake_skus():
    return {
        RUN: [
            sku("AAAA-0001", "Services CPU (Request-based billing)", ["us-central1", "us-east1"], [(0, 0, 25000)],
                unit="s", older=[(0, 0, 20000)]),
            sku("AAAA-0002", "Services CPU (Request-based billing)", ["us-central1"], [(0, 0, 15000)],
                unit="s", usage_type="Commit1Yr"),
            sku("AAAA-0003", "Services CPU Tier 2 (Request-based billing)", ["southamerica-east1"], [(0, 0, 33600)], unit="s"),
            sku("AAAA-0004", "Requests", ["global"], [(0, 0, 0), (2_000_000, 0, 450)], unit="count"),
            sku("AAAA-0005", "Jobs CPU in us-central1", ["us-central1"], [(0, 0, 18000)], unit="s"),
            sku("AAAA-0006", "Services Memory (Request-based billing)", ["us-central1"], [(0, 0, 2500)], unit="GiBy.s"),
            sku("AAAA-0007", "Services Memory (Request-based billing)", ["us-central1", "europe-west1"], [(0, 0, 2600)], unit="GiBy.s"),
        ],
        NET: [sku("BBBB-0001", "Cloud Armor Policy Charge", ["global"], [(0, 0, 6849315)])],
        SQL: [],
    }


@pytest.fixture()
def fake():
    catalog = FakeCatalog(fake_skus())
    server, endpoint = catalog.serve()
    catalog.endpoint = endpoint
    yield catalog
    server.stop(None)


@pytest.fixture()
def target(tmp_path):
    path = tmp_path / "prices" / "gcp.json"
    path.parent.mkdir()
    shutil.copy(packaged_path(), path)
    return path


def test_refresh_updates_matching_rows_and_reports(fake, target):
    report = refresh_catalog(Catalog.load(target), target, make_client(endpoint=fake.endpoint))
    changed = {(s, r): new for s, r, _old, new in report.changed}
    # Latest effective entry wins over the older one; the Commit1Yr twin is ignored.
    assert changed[("run_cpu_request", "us-central1")] == "0.000025"
    assert changed[("run_requests", "global")] == "0, 0.00000045 from 2000000"
    assert ("run_cpu_request", "southamerica-east1") in report.unchanged
    assert ("armor_policy", "global") in {(s, r) for s, r, *_ in report.changed}
    # Two OnDemand SKUs match memory in us-central1: kept as it was, reported.
    assert [(s, r, len(c)) for s, r, c in report.ambiguous] == [("run_mem_request", "us-central1", 2)]
    assert ("sql_micro", "us-central1") in report.not_found
    assert report.skus_read == 8

    cat = Catalog.load(target)
    cpu = cat.price("run_cpu_request", "us-central1")
    assert cpu.top_rate == D("0.000025") and cpu.verified and "Catalog API" in cpu.source
    assert cat.data["skus"]["run_cpu_request"]["prices"][0]["sku_id"] == "AAAA-0001"
    reqs = cat.price("run_requests", "us-central1")
    assert reqs.cost(D(3_000_000)) == D(1_000_000) * D("0.00000045")
    # Hourly policy price × 730 hours = the catalog's per-month unit.
    assert abs(cat.price("armor_policy", "us-central1").top_rate - D("5")) < D("0.0001")
    assert cat.price("run_mem_request", "us-central1").top_rate == D("0.0000025")
    assert cat.price("sql_micro", "us-central1").top_rate == D("0.0105")


def test_sku_lists_are_paged(fake, target):
    refresh_catalog(Catalog.load(target), target, make_client(endpoint=fake.endpoint))
    run_pages = [token for parent, token in fake.calls if parent == f"services/{RUN}"]
    assert run_pages == ["", "2", "4", "6"]


def test_a_failing_call_leaves_the_catalog_unchanged(fake, target):
    fake.fail_service = SQL
    before = target.read_bytes()
    with pytest.raises(ToolError, match="9662-B51E-5089.*left unchanged"):
        refresh_catalog(Catalog.load(target), target, make_client(endpoint=fake.endpoint))
    assert target.read_bytes() == before
    assert [p.name for p in target.parent.iterdir()] == ["gcp.json"]  # no temp file left behind


def test_cli_refresh_writes_the_given_catalog(fake, target):
    result = CliRunner().invoke(app, ["prices", "refresh", "--endpoint", fake.endpoint, "--catalog", str(target), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["catalog"] == str(target)
    assert {"sku": "run_cpu_request", "region": "us-central1", "old": "0.000024", "new": "0.000025"} in doc["changed"]
    fake.fail_service = RUN
    result = CliRunner().invoke(app, ["prices", "refresh", "--endpoint", fake.endpoint, "--catalog", str(target)])
    assert result.exit_code == 1 and "left unchanged" in result.output


def test_default_refresh_writes_a_user_copy_that_cost_then_uses(fake, tmp_path, monkeypatch):
    for folder in ("environments", "modules"):
        (tmp_path / folder).mkdir()
    (tmp_path / "pvctl.toml").write_text('[project]\nid = "pv-test-123"\nregion = "us-central1"\n')
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PVCTL_REPO", raising=False)
    monkeypatch.delenv("PVCTL_REGION", raising=False)
    packaged = packaged_path().read_bytes()
    runner = CliRunner()
    assert runner.invoke(app, ["prices", "refresh", "--endpoint", fake.endpoint]).exit_code == 0
    assert packaged_path().read_bytes() == packaged
    assert (tmp_path / ".pvctl" / "prices" / "gcp.json").is_file()
    from tests.cost.conftest import FIXTURES

    doc = json.loads(runner.invoke(app, ["cost", "--phase", "mvp", "--json", "--plan-json", str(FIXTURES / "mvp.plan.json")]).stdout)
    cpu = next(i for i in doc["items"] if i["sku"] == "run_cpu_request")
    assert cpu["unit_price"] == pytest.approx(0.000025)
    assert doc["price_dates"][1] >= "2026-11-23"
