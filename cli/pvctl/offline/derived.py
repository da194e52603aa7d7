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
    """`build()`'s bytes, read from the cache when `sources` are what they were when it was written.
    A cache file whose content does not match the digest it starts with (cut short, edited) is
    derived again rather than trusted: every later offline run would fail on it."""
    cache_dir = env.get(ENV_CACHE_DIR)
    if not cache_dir:
        return build()
    key = hashlib.sha256(b"".join(p.read_bytes() for p in sources)).hexdigest()[:20]
    path = Path(cache_dir) / f"{name}-{key}.bin"
    try:
        digest, _, data = path.read_bytes().partition(b"\n")
        if digest.decode("ascii", "replace") == hashlib.sha256(data).hexdigest():
            return data
    except OSError:
        pass
    data = build()
    # Atomic, through a temporary file of its own: provider starts in parallel processes, and the
    # threads of one server answering its first commands at once, may race to write it.
    write_atomic(path, hashlib.sha256(data).hexdigest().encode() + b"\n" + data)
    for earlier in path.parent.glob(f"{name}-*.bin"):  # derived from sources since changed
        if earlier != path:
            earlier.unlink(missing_ok=True)
    return data
