from __future__ import annotations

import pytest

from pvctl.core.errors import ConfigError
from pvctl.cost.usage import UsageProfile, load_usage


def test_phase_defaults_come_from_phases_toml():
    u = load_usage("scale")
    assert u.requests_per_month == 20_000_000 and u.cdn_cache_hit_ratio == 0.7
    assert u.share("pv-bff") == 1.0 and u.share("pv-api") == 0.5 and u.share("pv-other") == 1.0


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
