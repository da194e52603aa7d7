from __future__ import annotations

import json
from pathlib import Path

import pytest

from pvctl.cost.catalog import Catalog

FIXTURES = Path(__file__).parent / "fixtures"


def plan_of(phase: str) -> dict:
    return json.loads((FIXTURES / f"{phase}.plan.json").read_text())


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return Catalog.load()
