"""cty msgpack encoding: the provider reads and writes what Terraform's cty library does."""

from __future__ import annotations

import msgpack

from pvctl.offline.cty import UNKNOWN, conform, decode_msgpack, encode_msgpack

TYPE = ["object", {"name": "string", "size": "number", "tags": ["set", "string"],
                   "block": ["list", ["object", {"on": "bool"}]], "any": "dynamic"}]


def test_unknown_round_trips_as_extension_zero():
    value = {"name": "x", "size": UNKNOWN, "tags": None, "block": [{"on": True}], "any": None}
    wire = encode_msgpack(value, TYPE)
    raw = msgpack.unpackb(wire, raw=False)
    assert raw["size"] == msgpack.ExtType(0, b"\x00")
    assert decode_msgpack(wire, TYPE) == value


def test_refined_unknowns_from_newer_terraform_decode_as_unknown():
    wire = msgpack.packb({"name": msgpack.ExtType(12, b"\x81\x01\xc3"), "size": 1, "tags": [], "block": [], "any": None})
    assert decode_msgpack(wire, TYPE)["name"] is UNKNOWN


def test_dynamic_values_travel_with_their_type():
    value = {"name": None, "size": 2.0, "tags": ["a"], "block": [], "any": {"k": [1, "two"]}}
    wire = encode_msgpack(value, TYPE)
    type_json, inner = msgpack.unpackb(wire, raw=False)["any"]
    assert type_json == b'["object", {"k": ["tuple", ["number", "string"]]}]'
    assert inner == {"k": [1, "two"]}
    assert decode_msgpack(wire, TYPE)["size"] == 2  # whole numbers go out as integers
    assert decode_msgpack(wire, TYPE)["any"] == {"k": [1, "two"]}


def test_conform_fills_missing_and_drops_unknown_attributes_of_stored_state():
    assert conform({"name": "x", "gone": 1, "block": [{}]}, TYPE) == {
        "name": "x", "size": None, "tags": None, "block": [{"on": None}], "any": None}
