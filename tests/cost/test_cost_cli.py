"""`pvctl cost` end to end through the Typer app, in a scratch repository."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from pvctl.app import app
from tests.cost.conftest import FIXTURES

runner = CliRunner()


@pytest.fixture()
def repo(tmp_path, monkeypatch):
    for folder in ("environments", "modules"):
        (tmp_path / folder).mkdir()
    (tmp_path / "pvctl.toml").write_text('[project]\nid = "pv-test-123"\nregion = "us-central1"\n')
    for phase in ("mvp", "growth"):
        (tmp_path / ".pvctl" / phase).mkdir(parents=True)
        shutil.copy(FIXTURES / f"{phase}.plan.json", tmp_path / ".pvctl" / phase / "plan.json")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PVCTL_REGION", raising=False)
    monkeypatch.delenv("PVCTL_REPO", raising=False)
    return tmp_path


def test_json_output_shape_from_the_saved_plan(repo):
    result = runner.invoke(app, ["cost", "--phase", "mvp", "--json"])
    assert result.exit_code == 0, result.output
    assert "no plan.meta.json says what it was planned from; pricing it as it is" in result.stderr  # not saved by pvctl plan
    doc = json.loads(result.stdout)
    assert {"phase", "region", "currency", "monthly_total", "items", "unpriced", "prices_as_of"} <= set(doc)
    assert (doc["phase"], doc["region"], doc["currency"]) == ("mvp", "us-central1", "USD")
    item = doc["items"][0]
    assert {"component", "resource", "sku", "quantity", "unit", "unit_price", "monthly"} <= set(item)
    assert round(sum(i["monthly"] for i in doc["items"]) * 100) == round(doc["monthly_total"] * 100)  # rows add up


def test_region_flag_and_usage_file_change_the_price(repo):
    base = json.loads(runner.invoke(app, ["cost", "--phase", "mvp", "--json"]).stdout)["monthly_total"]
    sa = json.loads(runner.invoke(app, ["cost", "--phase", "mvp", "--json", "--region", "southamerica-east1"]).stdout)
    assert sa["region"] == "southamerica-east1" and sa["monthly_total"] > base
    (repo / "u.toml").write_text("egress_gb_per_month = 1005\n")
    more = json.loads(runner.invoke(app, ["cost", "--phase", "mvp", "--json", "--usage", "u.toml"]).stdout)
    # 1,000 more GiB of internet egress at $0.12 plus LB data processing at $0.008.
    assert more["monthly_total"] == pytest.approx(base + 1000 * 0.12 + 1000 * 0.008, abs=0.02)


def test_pvctl_toml_usage_overrides_apply(repo):
    (repo / "pvctl.toml").write_text('[project]\nid = "pv-test-123"\nregion = "us-central1"\n'
                                     '[usage.mvp]\nlog_gb_per_month = 60\n')
    doc = json.loads(runner.invoke(app, ["cost", "--phase", "mvp", "--json"]).stdout)
    logs = [i for i in doc["items"] if i["sku"] == "log_storage"][0]
    assert logs["monthly"] == 5.0  # (60 - 50 free) GiB × $0.50


def test_a_phase_without_a_saved_plan_is_planned_offline_and_priced(tmp_path, monkeypatch):
    from tests.offline.test_inventories import copy_repo

    repo = copy_repo(tmp_path)
    monkeypatch.chdir(repo)
    monkeypatch.delenv("PVCTL_REPO", raising=False)
    result = runner.invoke(app, ["cost", "--phase", "mvp", "--json"])
    assert result.exit_code == 0, result.output
    assert "planning it offline to price it" in result.output
    assert (repo / ".pvctl" / "mvp" / "plan.json").is_file()
    assert "Traceback" not in result.output


def test_a_stale_saved_plan_is_planned_again_not_priced(tmp_path, monkeypatch):
    """The saved plan's sidecar says what it was made from: once the phase's configuration changes,
    cost prices a new offline plan of it (and says why), never the saved one."""
    from tests.offline.test_inventories import copy_repo

    repo = copy_repo(tmp_path)
    monkeypatch.chdir(repo)
    monkeypatch.delenv("PVCTL_REPO", raising=False)
    planned = runner.invoke(app, ["plan", "--phase", "mvp", "--offline"])
    assert planned.exit_code == 0, planned.output
    fresh = runner.invoke(app, ["cost", "--phase", "mvp", "--json"])
    assert fresh.exit_code == 0 and "planning" not in fresh.stderr, fresh.output  # the saved plan is current: priced as saved
    phases = repo / "environments" / "phases.toml"
    text = phases.read_text()
    assert '[mvp.database]\ntier = "db-f1-micro"' in text
    phases.write_text(text.replace('[mvp.database]\ntier = "db-f1-micro"', '[mvp.database]\ntier = "db-custom-2-7680"'))

    compared = runner.invoke(app, ["cost", "--compare", "mvp", "growth", "--json"])
    assert compared.exit_code == 0, compared.output
    assert "the saved plan is stale" in compared.stderr and "planning phase mvp offline to price it" in compared.stderr
    assert json.loads(compared.stdout)["before"] > json.loads(fresh.stdout)["monthly_total"]

    result = runner.invoke(app, ["cost", "--phase", "mvp", "--json"])  # compare saved the new plan: current now
    assert result.exit_code == 0 and "planning" not in result.stderr, result.output
    skus = {doc["sku"] for doc in json.loads(result.stdout)["items"]} - {doc["sku"] for doc in json.loads(fresh.stdout)["items"]}
    assert skus and "sql_micro" not in skus  # the custom tier's vCPU and memory, not the micro instance
    assert json.loads(result.stdout)["monthly_total"] == pytest.approx(json.loads(compared.stdout)["before"], abs=0.01)


def test_unknown_region_is_a_configuration_error(repo):
    result = runner.invoke(app, ["cost", "--phase", "mvp", "--region", "mars-north1"])
    assert result.exit_code == 4
    assert "mars-north1" in result.output and "us-central1" in result.output


def test_markdown_and_compare(repo):
    md = runner.invoke(app, ["cost", "--phase", "growth", "--markdown"]).stdout
    assert md.startswith("### Monthly cost of phase growth in us-central1")
    assert "| Memorystore | `module.redis.google_redis_instance.this` | redis_basic_m1 |" in md
    cmp = json.loads(runner.invoke(app, ["cost", "--compare", "mvp", "growth", "--json"]).stdout)
    assert cmp["components"]["Memorystore"] == {"from": 0.0, "to": pytest.approx(35.77), "delta": pytest.approx(35.77)}
    assert cmp["delta"] == pytest.approx(cmp["after"] - cmp["before"])


def test_json_and_markdown_together_are_refused_naming_both(repo):
    result = runner.invoke(app, ["cost", "--phase", "mvp", "--json", "--markdown"])
    assert result.exit_code == 4
    assert "--json / --markdown: give at most one" in result.output


def test_compare_reads_from_to_in_help_and_refuses_a_comma_pair(repo):
    helped = runner.invoke(app, ["cost", "--help"], env={"COLUMNS": "100"}).stdout
    assert "--compare FROM TO" in helped and "<str,str>" not in helped
    comma = runner.invoke(app, ["cost", "--compare", "mvp,growth", "--json"])
    assert comma.exit_code == 4
    assert "--compare: takes two phases apart" in comma.output and "--compare mvp growth" in comma.output


def test_plan_json_outside_a_repository(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PVCTL_REPO", raising=False)
    monkeypatch.delenv("PVCTL_REGION", raising=False)
    result = runner.invoke(app, ["cost", "--phase", "scale", "--plan-json", str(FIXTURES / "scale.plan.json"), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["region"] == "southamerica-east1"


def _table(md: str) -> list[list[str]]:
    return [[c.strip() for c in line.strip("|").split("|")] for line in md.splitlines() if line.startswith("| ")]


def test_compare_names_region_currency_dates_and_its_rows_add_up(repo):
    md = runner.invoke(app, ["cost", "--compare", "mvp", "growth", "--region", "southamerica-east1"]).stdout
    head = md.splitlines()[0]
    assert "in southamerica-east1 (USD, list prices dated 20" in head and "mvp with mvp traffic, growth with growth traffic" in head
    rows = _table(md)[1:]
    body, total = rows[:-1], rows[-1]
    assert "Free tier" not in {r[0] for r in body}            # Cloud Run is shown net of its credit
    for col in (1, 2, 3):
        cents = sum(round(float(r[col].replace(",", "")) * 100) for r in body)
        assert cents == round(float(total[col].strip("*").replace(",", "")) * 100), col
    assert all(r[1].count(".") == 1 and len(r[1].split(".")[1]) == 2 for r in body)
    assert "_Derived or unconfirmed prices carry $" in md and "of growth (" in md


def test_compare_at_the_same_traffic(repo):
    own = json.loads(runner.invoke(app, ["cost", "--compare", "mvp", "growth", "--json"]).stdout)
    same = json.loads(runner.invoke(app, ["cost", "--compare", "mvp", "growth", "--traffic", "growth", "--json"]).stdout)
    assert own["traffic"] == {"mvp": "mvp", "growth": "growth"} and same["traffic"] == {"mvp": "growth", "growth": "growth"}
    assert same["after"] == own["after"] and same["before"] > own["before"]   # mvp's resources carrying growth's traffic
    assert "both with growth traffic" in runner.invoke(app, ["cost", "--compare", "mvp", "growth", "--traffic", "growth"]).stdout
    assert {"region", "currency", "price_dates", "resources"} <= set(same)


def test_the_table_flags_derived_prices_and_their_share(repo):
    doc = json.loads(runner.invoke(app, ["cost", "--phase", "mvp", "--json", "--region", "southamerica-east1"]).stdout)
    derived = [i for i in doc["items"] if not i["verified"]]
    assert derived and {"price_row", "price_as_of"} <= set(derived[0])
    assert doc["derived_total"] == pytest.approx(sum(i["monthly"] for i in derived), abs=0.03)  # items rounded one by one
    assert doc["price_dates"][0] < doc["price_dates"][1]
    text = runner.invoke(app, ["cost", "--phase", "mvp", "--region", "southamerica-east1"], env={"COLUMNS": "250"}).stdout
    assert f"list prices dated {doc['price_dates'][0]} to {doc['price_dates'][1]}" in text
    assert f"carry ${doc['derived_total']:.2f} of ${doc['monthly_total']:.2f}" in text
    assert "Hint: module.api.google_cloud_run_v2_service.this: instance-based billing" in text


def test_a_shared_billing_account_is_read_from_pvctl_toml(repo):
    own = json.loads(runner.invoke(app, ["cost", "--phase", "mvp", "--json"]).stdout)
    (repo / "pvctl.toml").write_text('[project]\nid = "pv-test-123"\nregion = "us-central1"\n[billing]\nshared_account = true\n')
    shared = json.loads(runner.invoke(app, ["cost", "--phase", "mvp", "--json"]).stdout)
    assert shared["free_tiers"] is False and not [i for i in shared["items"] if i["sku"].endswith(":free")]
    assert shared["monthly_total"] > own["monthly_total"]
