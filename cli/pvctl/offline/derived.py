"""Files the stand-in derives from its packaged data once, not on every start: kept in the folder
ENV_CACHE_DIR names (pvctl's wiring sets it), under a key of the sources' contents, so a changed
source or pvctl release derives them afresh. Without that folder each start derives them again."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from pvctl.core.files import write_atomic

ENV_CACHE_DIR = "PVCTL_OFFLINE_CACHE"


def derived(name: str, sources: Iterable[Path], build: Callable[[], bytes], env: Mapping[str, str] = os.environ) -> bytes:
    """`build()`'s bytes, read from the cache when `sources` are what they were when it was written."""
    cache_dir = env.get(ENV_CACHE_DIR)
    if not cache_dir:
        return build()
    key = hashlib.sha256(b"".join(p.read_bytes() for p in sources)).hexdigest()[:20]
    path = Path(cache_dir) / f"{name}-{key}.bin"
    if path.exists():
        return path.read_bytes()
    data = build()
    # Atomic, through a temporary file of its own: provider starts in parallel processes, and the
    # threads of one server answering its first commands at once, may race to write it.
    write_atomic(path, data)
    return data
