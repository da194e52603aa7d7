"""Terraform plugin protocol 6 messages, from a descriptor built out of `tfplugin6.proto`.

The descriptor is loaded into a private pool at run time instead of shipping protoc's
`_pb2.py`: generated modules pin the protobuf runtime to the generator's version, while a
serialized descriptor works with any protobuf >= 4.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from pvctl.core.once import once

DESCRIPTOR_FILE = Path(__file__).resolve().parent.parent.parent / "data" / "offline-tfplugin6.desc"

# A plugin-protocol message: its class is built from the descriptor at run time, so no static type names it.
Message = Any


@once
def _pool() -> Any:
    from google.protobuf import descriptor_pb2, descriptor_pool

    files = descriptor_pb2.FileDescriptorSet.FromString(DESCRIPTOR_FILE.read_bytes())
    pool = descriptor_pool.DescriptorPool()
    for proto in files.file:  # dependencies first: protoc writes them in that order
        pool.Add(proto)
    return pool


@cache
def message(name: str) -> type[Message]:
    """The class of `tfplugin6.<name>`, e.g. `message("PlanResourceChange.Request")`."""
    from google.protobuf import message_factory

    return message_factory.GetMessageClass(_pool().FindMessageTypeByName(f"tfplugin6.{name}"))
