"""Spread tests over the xdist workers one by one, except where a file shares an expensive sandbox."""

from __future__ import annotations

from collections.abc import Generator

import pytest


def _shared_fixture_file(item: pytest.Item) -> str | None:
    """The test file whose module- or session-scoped fixture this test uses (the first, by name)."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return None
    shared = {d.baseid for defs in info.name2fixturedefs.values() for d in defs
              if d.scope != "function" and d.baseid.endswith(".py")}
    return min(shared) if shared else None


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> Generator[None]:
    # `--dist loadgroup` sends tests of one group to one worker. A test using a fixture that a test file
    # builds once for all its tests (a Terraform sandbox, a checkov scan) joins that file's group, so it is
    # built once; every other test goes to whichever worker is free, so no long file sets the suite's time.
    groups: dict[pytest.Item, str] = {}
    for item in items:
        group = _shared_fixture_file(item)
        if group:
            item.add_marker(pytest.mark.xdist_group(group))
            groups[item] = group
    yield
    # xdist's worker hook (it runs after this one) schedules by the group appended to the node id. Where
    # it could not (pytest 9.2 keeps node ids where pytest-xdist 3.8 no longer writes), each worker would
    # build every shared sandbox again: minutes, silently. Say so instead.
    if config.getvalue("loadgroup") and any(not item.nodeid.endswith("@" + group) for item, group in groups.items()):
        raise pytest.UsageError("pytest-xdist did not group the tests sharing a module fixture (--dist loadgroup): "
                                "use the pytest and pytest-xdist versions pyproject.toml's test extra allows")
