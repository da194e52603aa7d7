"""Live and offline plans use one provider version: the root pins the release the stand-in reproduces."""

from __future__ import annotations

import json
import re

import hcl2

from pvctl import GOOGLE_PROVIDER_VERSION
from pvctl.offline.schema import PROVIDER_VERSION, SCHEMA_FILE
from tests.terraform.hcl_facts import ENVIRONMENTS, MODULES


def _google_constraint(versions_tf) -> str:
    with versions_tf.open() as handle:
        providers = hcl2.load(handle)["terraform"][0]["required_providers"][0]
    return str(providers["google"]["version"]).strip('"')


def _satisfies(version: str, constraint: str) -> bool:
    """Terraform's version constraints as the modules write them (>=, <, =, exact)."""
    ops = {">=": lambda a, b: a >= b, "<": lambda a, b: a < b, "=": lambda a, b: a == b, "": lambda a, b: a == b}
    key = lambda v: tuple(int(p) for p in v.split("."))  # noqa: E731
    for part in constraint.split(","):
        op, wanted = re.fullmatch(r"\s*(>=|<|=|)\s*([0-9.]+)\s*", part).groups()
        padded = wanted + ".0" * (2 - wanted.count("."))
        if not ops[op](key(version), key(padded)):
            return False
    return True


def test_the_root_pins_exactly_the_stand_ins_version() -> None:
    meta = json.loads(SCHEMA_FILE.with_name(f"google-{PROVIDER_VERSION}.schema.meta.json").read_text())
    assert meta["provider_version"] == PROVIDER_VERSION == GOOGLE_PROVIDER_VERSION
    assert _google_constraint(ENVIRONMENTS / "versions.tf") == PROVIDER_VERSION   # exact, not a range


def test_every_module_admits_that_version() -> None:
    for versions_tf in sorted(MODULES.glob("*/versions.tf")):
        assert _satisfies(PROVIDER_VERSION, _google_constraint(versions_tf)), versions_tf


def test_the_version_check_can_fail() -> None:
    assert not _satisfies("9.0.0", ">= 8.0, < 9.0") and not _satisfies("8.6.0", "8.7.0")
    assert _satisfies("8.7.0", "= 8.7.0") and _satisfies("8.7.0", ">= 8.0, < 9.0")
