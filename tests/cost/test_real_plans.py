"""The fixtures stay faithful to the modules: plan each phase offline with the real engine and
the stand-in provider, price the plan JSON Terraform wrote, and compare with the fixture."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from pvctl.cost.estimate import estimate_plan
from pvctl.cost.usage import load_usage
from tests.cost.conftest import plan_of


@pytest.mark.parametrize("phase", ["mvp", "growth", "scale"])
def test_offline_plan_prices_like_the_fixture(phase: str, default_plan: Callable[[str], dict], catalog) -> None:
    real = default_plan(phase)  # `pvctl plan --phase P --offline` of this repository (tests/conftest.py)
    assert real["format_version"] == "1.2"
    usage = load_usage(phase)
    for region in ("us-central1", "southamerica-east1"):
        got = estimate_plan(real, region, usage, catalog, phase)
        want = estimate_plan(plan_of(phase), region, usage, catalog, phase)
        assert got.unpriced == []
        assert got.by_component() == want.by_component(), region
