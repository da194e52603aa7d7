"""The fixtures stay faithful to the modules: plan each phase offline with the real engine and
the stand-in provider, price the plan JSON Terraform wrote, and compare with the fixture."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pvctl.cost.estimate import estimate_plan
from pvctl.cost.usage import load_usage
from tests.cost.conftest import plan_of

REPO = Path(__file__).resolve().parents[2]
PVCTL = Path(sys.executable).with_name("pvctl")


@pytest.mark.parametrize("phase", ["mvp", "growth", "scale"])
def test_offline_plan_prices_like_the_fixture(phase, tmp_path, catalog):
    out = tmp_path / "plan.tfplan"
    run = subprocess.run([str(PVCTL), "plan", "--phase", phase, "--offline", "--out", str(out), "--json",
                          "--allow-downgrade", "--allow-destroy"],
                         cwd=REPO, capture_output=True, text=True, timeout=600)
    assert run.returncode in (0, 2), run.stderr[-2000:]
    real = json.loads(out.with_suffix(".json").read_text())
    assert real["format_version"] == "1.2"
    usage = load_usage(phase)
    for region in ("us-central1", "southamerica-east1"):
        got = estimate_plan(real, region, usage, catalog, phase)
        want = estimate_plan(plan_of(phase), region, usage, catalog, phase)
        assert got.unpriced == []
        assert got.by_component() == want.by_component(), region
