"""cty values on the wire: msgpack (and JSON, for stored state) <-> plain Python values.

Python form: None (null), str, int/float, bool, list (list/set/tuple), dict (map/object),
and `UNKNOWN` for a value Terraform will only know after apply. Objects always carry
every attribute of their type (null when unset), as Terraform requires.
"""

from __future__ import annotations

import json
from typing import Any

import msgpack

from pvctl.offline.schema import CtyType

# cty's msgpack extension codes: 0 = unknown, 12 = unknown with refinements (cty >= 1.13).
_UNKNOWN_CODES = (0, 12)


class _Unknown:
    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __deepcopy__(self, memo):
        return self


UNKNOWN = _Unknown()


def _ext_hook(code: int, data: bytes):
    if code in _UNKNOWN_CODES:
        return UNKNOWN
    return msgpack.ExtType(code, data)


def decode_msgpack(data: bytes, ty: CtyType) -> Any:
    if not data:
        return None
    raw = msgpack.unpackb(data, raw=False, ext_hook=_ext_hook, strict_map_key=False)
    return _from_wire(raw, ty)


def decode_msgpack_untyped(data: bytes) -> Any:
    """Decode without the schema (no schema load): dynamic values stay [type, value] pairs.

    Enough for the provider's value checks, which never read dynamic attributes.
    """
    if not data:
        return None
    return msgpack.unpackb(data, raw=False, ext_hook=_ext_hook, strict_map_key=False)


def _from_wire(value: Any, ty: CtyType) -> Any:
    """Unwrap dynamic values ([type, value] pairs) along the type; the rest is as decoded."""
    if value is None or value is UNKNOWN:
        return value
    if ty == "dynamic":
        type_json, inner = value
        return _from_wire(inner, json.loads(type_json))
    if isinstance(ty, list):
        kind = ty[0]
        if kind in ("list", "set"):
            return [_from_wire(v, ty[1]) for v in value]
        if kind == "map":
            return {k: _from_wire(v, ty[1]) for k, v in value.items()}
        if kind == "object":
            return {k: _from_wire(value.get(k), t) for k, t in ty[1].items()}
        if kind == "tuple":
            return [_from_wire(v, t) for v, t in zip(value, ty[1])]
    return value


def encode_msgpack(value: Any, ty: CtyType) -> bytes:
    return msgpack.packb(_to_wire(value, ty), use_bin_type=True)


def _to_wire(value: Any, ty: CtyType) -> Any:
    if value is UNKNOWN:
        return msgpack.ExtType(0, b"\x00")
    if value is None:
        return None
    if ty == "dynamic":
        return [json.dumps(infer_type(value)).encode(), _to_wire(value, infer_type(value))]
    if isinstance(ty, list):
        kind = ty[0]
        if kind in ("list", "set"):
            return [_to_wire(v, ty[1]) for v in value]
        if kind == "map":
            return {k: _to_wire(v, ty[1]) for k, v in value.items()}
        if kind == "object":
            return {k: _to_wire(value.get(k), t) for k, t in ty[1].items()}
        if kind == "tuple":
            return [_to_wire(v, t) for v, t in zip(value, ty[1])]
    if ty == "number" and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def infer_type(value: Any) -> CtyType:
    """The cty type of a known Python value, for dynamic attributes (JSON-like inference)."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return ["tuple", [infer_type(v) for v in value]]
    if isinstance(value, dict):
        return ["object", {k: infer_type(v) for k, v in value.items()}]
    return "dynamic"


def conform(value: Any, ty: CtyType) -> Any:
    """Fit a value decoded from JSON state to `ty`: missing attributes become null, extra ones go."""
    if value is None or value is UNKNOWN or ty == "dynamic":
        return value
    if isinstance(ty, list):
        kind = ty[0]
        if kind in ("list", "set"):
            return [conform(v, ty[1]) for v in value]
        if kind == "map":
            return {k: conform(v, ty[1]) for k, v in value.items()}
        if kind == "object":
            return {k: conform(value.get(k), t) for k, t in ty[1].items()}
        if kind == "tuple":
            return [conform(v, t) for v, t in zip(value, ty[1])]
    return value
