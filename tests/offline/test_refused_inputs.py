"""Phase data pvctl.toml can override but Terraform refuses, planned offline for real: the
variables' validations name the field and the fix before anything reaches Google."""

from __future__ import annotations

import pytest

from tests.offline.test_inventories import PVCTL_TOML
from tests.offline.test_variants import make_repo

CASES = {
    # A replica in the primary's region survives no regional outage.
    "dr_same_region": ("scale", '[phases.scale.disaster_recovery]\nregion = "southamerica-east1"\n',
                       "disaster_recovery.region must be a Google Cloud region other than"),
    # A 5xx share of 0 would be an availability goal of 1; the Monitoring API takes goals up to
    # 0.9999 (validateMonitoringSloGoal in the provider).
    "slo_goal_of_one": ("growth", "[phases.growth.monitoring]\nerror_5xx_ratio_threshold = 0.0\n",
                        "phases.growth.monitoring.error_5xx_ratio_threshold: 0.0 is outside"),
    "burn_rates_swapped": ("scale", "[phases.scale.monitoring]\nburn_rate_fast = 3.0\n",
                           "thresholds.burn_rate_fast must be above thresholds.burn_rate_slow"),
    "window_not_whole_minutes": ("growth", "[phases.growth.monitoring]\nutilization_window_seconds = 90\n",
                                 "windows (*_window_seconds) are whole minutes"),
}


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    return make_repo(tmp_path_factory.mktemp("refused"), PVCTL_TOML)


@pytest.mark.parametrize("case", CASES)
def test_the_plan_is_refused_naming_the_field(repo, case: str) -> None:
    phase, override, message = CASES[case]
    repo.write_toml(PVCTL_TOML + "\n" + override)
    done = repo.run("plan", "--phase", phase, "--offline")
    output = " ".join((done.stdout + done.stderr).split())
    assert done.returncode != 0 and message in output, output[-3000:]
