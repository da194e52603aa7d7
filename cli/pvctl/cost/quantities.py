"""Parsing the size strings Terraform configurations carry (Cloud Run limits, Cloud SQL tiers)."""

from __future__ import annotations

import re
from decimal import Decimal

_MEMORY_UNITS = {
    "": Decimal(1),
    "k": Decimal(1000), "M": Decimal(1000) ** 2, "G": Decimal(1000) ** 3, "T": Decimal(1000) ** 4,
    "Ki": Decimal(1024), "Mi": Decimal(1024) ** 2, "Gi": Decimal(1024) ** 3, "Ti": Decimal(1024) ** 4,
}
_GIB = Decimal(1024) ** 3


def cpu(value: str | int | float) -> Decimal:
    """Kubernetes CPU quantity: "1", "2", "0.5", "1000m"."""
    text = str(value).strip()
    if text.endswith("m"):
        return Decimal(text[:-1]) / 1000
    return Decimal(text)


def memory_gib(value: str | int | float) -> Decimal:
    """Kubernetes memory quantity to GiB: "512Mi" -> 0.5, "1Gi" -> 1, "1G" -> 0.931..."""
    match = re.fullmatch(r"\s*([0-9.]+)\s*([kMGT]i?|)\s*", str(value))
    if not match:
        raise ValueError(f"not a memory quantity: {value!r}")
    number, unit = match.groups()
    return Decimal(number) * _MEMORY_UNITS[unit] / _GIB


def sql_tier_shape(tier: str) -> tuple[str, Decimal, Decimal] | None:
    """("shared", 0, 0) for shared-core tiers, ("dedicated", vCPUs, GB of RAM), or None if unknown."""
    if tier in ("db-f1-micro", "db-g1-small"):
        return ("shared", Decimal(0), Decimal(0))
    custom = re.fullmatch(r"db-custom-(\d+)-(\d+)", tier)
    if custom:
        return ("dedicated", Decimal(custom.group(1)), Decimal(custom.group(2)) / 1024)
    standard = re.fullmatch(r"db-n1-(standard|highmem)-(\d+)", tier)
    if standard:
        vcpus = Decimal(standard.group(2))
        per_cpu = Decimal("3.75") if standard.group(1) == "standard" else Decimal("6.5")
        return ("dedicated", vcpus, vcpus * per_cpu)
    return None


def seconds(value: str | int | float) -> Decimal:
    """A protobuf duration as Terraform writes it: "300s", "1.5s"."""
    text = str(value).strip()
    number = Decimal(text[:-1] if text.endswith("s") else text)
    if number <= 0:
        raise ValueError(f"not a positive duration: {value!r}")
    return number
