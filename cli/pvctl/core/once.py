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
    Terraform's parallel calls, parsed the same documents several times over."""
    lock = threading.Lock()
    value: list[T] = []

    @functools.wraps(compute)
    def get() -> T:
        if not value:
            with lock:
                if not value:
                    value.append(compute())
        return value[0]

    return get
