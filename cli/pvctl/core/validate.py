"""Syntax checks for configuration values. Each returns None when fine, else (problem, fix)."""

from __future__ import annotations

import difflib
import re

from pvctl.core.regions import CLOUD_RUN_REGIONS

Problem = tuple[str, str] | None

_PROJECT_ID = re.compile(r"^[a-z][a-z0-9-]{4,28}[a-z0-9]$")
_LABEL = re.compile(r"^[a-z\d_-]{0,63}$")
_LABEL_KEY = re.compile(r"^[a-z][a-z\d_-]{0,62}$")
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_EMAIL_LOCAL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}$")
_BILLING = re.compile(r"^[0-9A-F]{6}-[0-9A-F]{6}-[0-9A-F]{6}$")
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$")
# `<registry host>[:port]/<path>[:tag][@sha256:<64 hex>]`, lower-case path as registries require.
_IMAGE = re.compile(
    r"^(?P<host>[a-z0-9.-]+(?::\d+)?)/(?P<path>[a-z0-9]+(?:[._-]+[a-z0-9]+)*(?:/[a-z0-9]+(?:[._-]+[a-z0-9]+)*)*)"
    r"(?::(?P<tag>[\w][\w.-]{0,127}))?(?:@(?P<digest>sha256:[a-f0-9]{64}))?$"
)
_NAME_PREFIX = re.compile(r"^[a-z][a-z0-9-]{0,15}[a-z0-9]$")


def project_id(value: str) -> Problem:
    if _PROJECT_ID.match(value) and "--" not in value:
        return None
    return (
        f"{value!r} is not a GCP project ID",
        "use 6-30 characters: lower-case letters, digits and hyphens, starting with a letter, not ending with a hyphen "
        "(the ID, not the project name or number)",
    )


def region(value: str) -> Problem:
    if value in CLOUD_RUN_REGIONS:
        return None
    near = difflib.get_close_matches(value, CLOUD_RUN_REGIONS, n=1)
    hint = f"did you mean {near[0]!r}? " if near else ""
    return (
        f"{value!r} is not a Cloud Run region",
        f"{hint}use a region from https://cloud.google.com/run/docs/locations, e.g. southamerica-east1",
    )


def domain(value: str) -> Problem:
    if "://" in value or "/" in value:
        return (f"{value!r} is a URL, not a domain", "give the host name only, e.g. app.example.com.br")
    if value != value.lower():
        return (f"{value!r} has upper-case letters", f"write it in lower case: {value.lower()}")
    labels = value.rstrip(".").split(".")
    if len(value) > 253 or len(labels) < 2 or not all(_HOST_LABEL.match(label) for label in labels) or not labels[-1].isalpha():
        return (f"{value!r} is not a valid domain name",
                "use a fully qualified host name such as app.example.com.br (letters, digits, hyphens; labels of 1-63 characters)")
    return None


def email(value: str) -> Problem:
    local, at, host = value.partition("@")
    if at and _EMAIL_LOCAL.match(local) and domain(host) is None:
        return None
    return (f"{value!r} is not an e-mail address", "give one address such as ops@example.com")


def billing_account(value: str) -> Problem:
    if _BILLING.match(value):
        return None
    fix = "use the ID form XXXXXX-XXXXXX-XXXXXX (upper-case hex)"
    if value.startswith("billingAccounts/"):
        fix = f"drop the 'billingAccounts/' prefix: {value.removeprefix('billingAccounts/')}"
    return (f"{value!r} is not a billing account ID", fix)


def bucket(value: str) -> Problem:
    if value.startswith("gs://"):
        return (f"{value!r} is a URL", f"give the bucket name only: {value.removeprefix('gs://').strip('/')}")
    if _BUCKET.match(value) and ".." not in value and not value.startswith("goog"):
        return None
    return (
        f"{value!r} is not a Cloud Storage bucket name",
        "use 3-63 lower-case letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
    )


def name_prefix(value: str) -> Problem:
    if _NAME_PREFIX.match(value):
        return None
    # "<prefix>-webhooks-run" must fit a service account ID (30 characters).
    return (f"{value!r} cannot prefix resource names", "use 2-17 lower-case letters, digits or hyphens, starting with a letter")


def label(key: str, value: object) -> Problem:
    if not _LABEL_KEY.match(key):
        return (
            f"label key {key!r} is invalid",
            "use lower-case letters, digits, '_' or '-', starting with a letter, at most 63 characters",
        )
    if not isinstance(value, str) or not _LABEL.match(value):
        return (
            f"label {key}={value!r} has an invalid value",
            "use a string of lower-case letters, digits, '_' or '-', at most 63 characters",
        )
    return None


def image(value: str) -> Problem:
    match = _IMAGE.match(value)
    if not match or "." not in match["host"] and ":" not in match["host"] and match["host"] != "localhost":
        return (f"{value!r} is not a full image reference",
                "use <registry>/<path>:<tag> or @sha256:<digest>, e.g. southamerica-east1-docker.pkg.dev/my-project/app/api:1.2.3")
    return None


def image_is_moving(value: str) -> bool:
    """True for a reference Terraform cannot tell apart from its next push (no tag, or :latest, no digest)."""
    match = _IMAGE.match(value)
    return match is not None and not match["digest"] and match["tag"] in (None, "latest")


def state_prefix(value: str) -> Problem:
    # An object-name prefix in the state bucket (https://cloud.google.com/storage/docs/objects#naming).
    if value and len(value.encode()) <= 512 and value.isprintable() and not value.startswith("/") and ".." not in value.split("/"):
        return None
    return (f"{value!r} cannot prefix the state objects",
            "use a non-empty path of printable characters without a leading '/' or '..' parts, e.g. pvctl or team/app")
