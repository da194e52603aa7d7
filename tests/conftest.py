"""Spread tests over the xdist workers one by one, except where tests share an expensive fixture."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
STANDIN_CACHE = REPO / ".pvctl" / "offline" / "cache"


def _shared_fixtures(item: pytest.Item) -> set[str]:
    """The module- or session-scoped fixtures of test files this test uses (directly or through other
    fixtures), each instance named by file, fixture and, for a parametrized fixture, its parameter's
    index (xdist reads the group after the node id's last "@" only if no "]" follows it)."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return set()
    indices = getattr(getattr(item, "callspec", None), "indices", {})
    return {f"{d.baseid}::{name}" + (f"#{indices[name]}" if name in indices else "")
            for name, defs in info.name2fixturedefs.items() for d in defs
            if d.scope != "function" and d.baseid.endswith(".py")}


def _groups(items: list[pytest.Item]) -> dict[pytest.Item, str]:
    """Item → group: tests joined by any fixture instance they share, directly or through other tests."""
    parent: dict[str, str] = {}

    def root(key: str) -> str:
        while parent.setdefault(key, key) != key:
            key = parent[key]
        return key

    uses = {item: _shared_fixtures(item) for item in items}
    for keys in uses.values():
        for key in keys:
            parent[root(key)] = root(min(keys))
    members: dict[str, list[str]] = {}
    for key in list(parent):
        members.setdefault(root(key), []).append(key)
    name = {r: min(keys) for r, keys in members.items()}
    return {item: name[root(min(keys))] for item, keys in uses.items() if keys}


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    # One worker more than the cores (pyproject's --maxprocesses still caps it): part of the suite waits
    # on processes, with a core idle meanwhile (a signal sent once Terraform runs, a provisioner holding
    # the state lock, a canary watched for its healthy period). 2 cores: 3 workers 3 min 12 s, 2: 3 min 27 s
    # (an earlier machine); 3 workers 2 min 50 s, 4: 2 min 55 s with more CPU (326 s against 306 s).
    return (os.cpu_count() or 1) + 1


def pytest_configure(config: pytest.Config) -> None:
    # Where PYTHONDONTWRITEBYTECODE is set, pytest would rewrite and compile every test module again in
    # every worker of every run (~1 s of CPU each); this process keeps its bytecode like pvctl's below.
    sys.dont_write_bytecode = False
    if not hasattr(config, "workerinput"):  # the controller, before any worker starts
        _compile_pvctl()
        _derive_standin_files()
    # xdist's loadgroup appends the group to each item's `_nodeid` on the workers; pytest 9.2 keeps node
    # ids elsewhere, so the groups would be lost silently and every worker would build every shared
    # sandbox again (minutes). Refuse such a pair of versions instead.
    if config.getoption("dist", "no") == "loadgroup" and not any("_nodeid" in vars(c).get("__slots__", ()) for c in pytest.Item.__mro__):
        raise pytest.UsageError("this pytest no longer has the node ids pytest-xdist's --dist loadgroup writes its groups into: "
                                "install the versions pyproject.toml's test extra allows (pip install -e '.[test]')")


def _compile_pvctl() -> None:
    # The suite starts pvctl, its stand-in provider and its checkov process hundreds of times. Where
    # PYTHONDONTWRITEBYTECODE is set (CI images often do) nothing caches the package's bytecode, and
    # each start compiles it from source again: ~0.3 s of CPU, a tenth of an offline plan's. An
    # editable install leaves it uncompiled too; compileall writes it once (and skips what is current).
    import compileall

    compileall.compile_dir(REPO / "cli" / "pvctl", quiet=1)


def _derive_standin_files() -> None:
    # The stand-in derives its schema answer and per-type schema texts once per repository (~1.5 s of
    # CPU), and the tests plan in dozens of copies of this one: each copy starts with them instead
    # (`with_standin_cache`). They are keyed by their sources' contents, so they are what it would derive.
    from pvctl.offline.derived import ENV_CACHE_DIR
    from pvctl.offline.provider import schema_response_bytes
    from pvctl.offline.schema import type_lines

    env = {ENV_CACHE_DIR: str(STANDIN_CACHE)}
    STANDIN_CACHE.mkdir(parents=True, exist_ok=True)
    schema_response_bytes(env)
    type_lines(env)


def with_standin_cache(repo: Path) -> Path:
    """`repo` (a copy of this repository) with the stand-in's derived files in place."""
    shutil.copytree(STANDIN_CACHE, repo / ".pvctl" / "offline" / "cache", dirs_exist_ok=True)
    return repo


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook turns the markers into the groups it schedules by
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # `--dist loadgroup` sends the tests of one group to one worker. Tests sharing a fixture that a test
    # file builds once for all its tests (a Terraform sandbox, a story of plans and applies) form a group,
    # so it is built once; the other tests go to whichever worker is free, so no long file sets the
    # suite's time, and the independent fixtures of one file are built side by side.
    for item, group in _groups(items).items():
        item.add_marker(pytest.mark.xdist_group(group))


@pytest.fixture(scope="session")
def default_plan(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], dict[str, Any]]:
    """Phase → plan JSON of `pvctl plan --phase P --offline` on a copy of this repository with the
    inventories' pvctl.toml, from an empty sandbox state: planned once per test run, by whichever
    worker asks first (tests/offline/default_plans.py)."""
    from tests.offline.default_plans import default_plans

    return default_plans(tmp_path_factory)
