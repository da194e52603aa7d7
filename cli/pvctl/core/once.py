"""A value computed once per process, however many threads ask for it first."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def once(compute: Callable[[], T]) -> Callable[[], T]:
    """`compute`'s value, computed by the first caller while the others wait for it. functools.cache
    lets threads that arrive together each compute it: the stand-in's gRPC threads, answering
    Terraform's parallel calls, parsed the same documents several times over. A failure is not
    kept: the next caller computes again. `compute` asking for its own value raises, as
    functools.cache's recursion would, instead of waiting for itself forever."""
    lock = threading.Lock()
    value: list[T] = []
    computing: list[int] = []  # the thread computing it, while it does

    @functools.wraps(compute)
    def get() -> T:
        if not value:
            if computing == [threading.get_ident()]:
                raise RuntimeError(f"{compute.__qualname__} asks for its own value while computing it")
            with lock:
                if not value:
                    computing.append(threading.get_ident())
                    try:
                        value.append(compute())
                    finally:
                        computing.clear()
        return value[0]

    return get
