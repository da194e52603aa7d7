"""The stand-in's cache of files derived from its packaged data (`pvctl.offline.derived`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pvctl.offline.derived import ENV_CACHE_DIR, derived


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "source.json"
    path.write_text('{"v": 1}')
    return path


def _counted(built: list[int], data: bytes = b"derived bytes"):
    def build() -> bytes:
        built.append(1)
        return data
    return build


@pytest.mark.parametrize("damage", [
    lambda data: data[: len(data) // 2],           # cut short (a disk that filled up, a copy interrupted)
    lambda data: b"",                              # emptied
    lambda data: data.replace(b"derived", b"edited"),
    lambda data: data.split(b"\n", 1)[1],          # a file from before the digest line
])
def test_a_damaged_file_is_derived_again_not_trusted(tmp_path: Path, source: Path, damage) -> None:
    env, built = {ENV_CACHE_DIR: str(tmp_path / "cache")}, []
    assert derived("thing", [source], _counted(built), env) == b"derived bytes"
    [cached] = (tmp_path / "cache").glob("thing-*.bin")
    assert derived("thing", [source], _counted(built), env) == b"derived bytes" and len(built) == 1  # read back
    cached.write_bytes(damage(cached.read_bytes()))
    assert derived("thing", [source], _counted(built), env) == b"derived bytes" and len(built) == 2
    assert derived("thing", [source], _counted(built), env) == b"derived bytes" and len(built) == 2  # repaired


def test_a_changed_source_is_derived_afresh_and_the_old_file_goes(tmp_path: Path, source: Path) -> None:
    env, built = {ENV_CACHE_DIR: str(tmp_path / "cache")}, []
    derived("thing", [source], _counted(built, b"one"), env)
    other = tmp_path / "cache" / "other-0.bin"
    other.write_bytes(b"another name's file")
    source.write_text('{"v": 2}')
    assert derived("thing", [source], _counted(built, b"two"), env) == b"two" and len(built) == 2
    assert len(list((tmp_path / "cache").glob("thing-*.bin"))) == 1 and other.exists()


def test_a_damaged_schema_cache_still_loads_every_type(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pvctl.offline import schema

    monkeypatch.setenv(ENV_CACHE_DIR, str(tmp_path))
    whole = schema.load_schema.__wrapped__()
    [cached] = tmp_path.glob("schema-types-*.bin")
    cached.write_bytes(cached.read_bytes()[:1_400_000])
    again = schema.load_schema.__wrapped__()
    assert again.names("resource") == whole.names("resource")
    assert again.get("resource", "google_project_service") is not None
