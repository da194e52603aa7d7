"""Spread tests over the xdist workers one by one, except where a file shares an expensive sandbox."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # `--dist loadgroup` sends tests of one group to one worker. A test using a fixture that a test file
    # builds once for all its tests (a Terraform sandbox, a checkov scan) joins that file's group, so it is
    # built once; every other test goes to whichever worker is free, so no long file sets the suite's time.
    for item in items:
        info = getattr(item, "_fixtureinfo", None)
        if info is None:
            continue
        shared = {d.baseid for defs in info.name2fixturedefs.values() for d in defs
                  if d.scope != "function" and d.baseid.endswith(".py")}
        if shared:
            item.add_marker(pytest.mark.xdist_group(min(shared)))
