from __future__ import annotations

import pytest

from pvctl.core.errors import ConfigError
from pvctl.cost.usage import UsageProfile, load_usage


def test_phase_defaults_come_from_phases_toml():
    u = load_usage("scale")
    assert u.requests_per_month == 20_000_000 and u.cdn_cache_hit_ratio == 0.7
    assert u.share("pv-bff") == 1.0 and u.share("pv-api") == 0.5 and u.share("pv-other") == 1.0
    assert u.share("pv-webhooks") == 0.0   # a dedicated receiver takes webhooks only
    assert u.webhook_requests_per_month == 400_000 and u.websocket_service == "bff"


def test_pvctl_toml_then_usage_file_override_single_keys(tmp_path):
    bare = tmp_path / "bare.toml"
    bare.write_text("egress_gb_per_month = 99\n")
    tables = tmp_path / "tables.toml"
    tables.write_text("[usage.mvp]\nlog_gb_per_month = 70\n[usage.growth]\nlog_gb_per_month = 1\n")
    u = load_usage("mvp", {"mvp": {"requests_per_month": 1_000_000, "egress_gb_per_month": 7}}, bare)
    assert (u.requests_per_month, u.egress_gb_per_month, u.avg_request_seconds) == (1_000_000, 99, 0.2)
    assert load_usage("mvp", None, tables).log_gb_per_month == 70


@pytest.mark.parametrize("text, field", [
    ("requests_per_mnth = 1\n", "requests_per_mnth"),
    ("cdn_cache_hit_ratio = 1.5\n", "cdn_cache_hit_ratio"),
    ("egress_gb_per_month = -1\n", "egress_gb_per_month"),
    ('client_geo = "mars"\n', "client_geo"),
])
def test_bad_usage_values_name_the_key(tmp_path, text, field):
    f = tmp_path / "u.toml"
    f.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_usage("mvp", None, f)
    assert field in err.value.lines()[0]


def test_every_usage_key_in_phases_toml_is_known_to_the_estimator():
    from pvctl.core.phases import load_phases

    known = set(UsageProfile.__dataclass_fields__)
    for phase in load_phases().values():
        assert set(phase.usage) <= known, phase.name


@pytest.mark.parametrize("phase", ["mvp", "growth", "scale"])
def test_each_packaged_profile_fits_its_own_phase(phase, catalog):
    from pvctl.cost.estimate import estimate_plan
    from tests.cost.conftest import plan_of

    est = estimate_plan(plan_of(phase), "us-central1", load_usage(phase), catalog, phase)
    assert est.profile_warnings == []


def test_a_profile_that_does_not_fit_the_plan_says_so(catalog, tmp_path):
    from pvctl.cost.estimate import estimate_plan
    from tests.cost.conftest import plan_of

    f = tmp_path / "u.toml"
    f.write_text('websocket_service = "chat"\ncdn_cache_hit_ratio = 0.5\nnat_gb_per_month = 0\n'
                 'request_share = { bff = 1.0 }\n')
    est = estimate_plan(plan_of("mvp"), "us-central1", load_usage("mvp", None, f), catalog, "mvp")
    text = "\n".join(est.profile_warnings)
    assert "'chat' is none of the Cloud Run services (pv-api)" in text
    assert "'bff', which no Cloud Run service is" in text
    assert "no CDN-enabled backend" in text


def test_client_geo_shares_must_add_up(tmp_path):
    f = tmp_path / "u.toml"
    f.write_text("client_geo = { latin-america = 0.5, north-america = 0.2 }\n")
    with pytest.raises(ConfigError) as err:
        load_usage("mvp", None, f)
    assert "add up to 0.7" in err.value.lines()[0]
    f.write_text('client_geo = "north-america"\n')
    assert load_usage("mvp", None, f).client_geo == {"north-america": 1.0}


def test_a_base_commits_phases_toml_with_retired_keys_still_prices(tmp_path):
    from pvctl.core.phases import default_phases_file

    packaged = default_phases_file().read_text(encoding="utf-8")
    old = packaged.replace("[mvp.usage]\n", "[mvp.usage]\nconcurrency_observed = 10\n", 1)
    base = tmp_path / "phases.toml"
    base.write_text(old)
    assert load_usage("mvp", phases_file=base) == load_usage("mvp")
