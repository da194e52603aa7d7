"""Are Google credentials present? Looks only at the environment and well-known files (no network)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pvctl.core.errors import ConfigError

ADC_FILE = "application_default_credentials.json"


@dataclass(frozen=True)
class Credentials:
    kind: str    # where they were found, for messages
    detail: str


def _adc_folder(env: Mapping[str, str], home: Path) -> Path:
    if env.get("CLOUDSDK_CONFIG"):
        return Path(env["CLOUDSDK_CONFIG"])
    if os.name == "nt" and env.get("APPDATA"):
        return Path(env["APPDATA"]) / "gcloud"
    return home / ".config" / "gcloud"


def find_credentials(env: Mapping[str, str] | None = None, home: Path | None = None) -> Credentials | None:
    """The credentials the google provider would use, in its own order; None when there are none."""
    env = os.environ if env is None else env
    home = Path.home() if home is None else home
    if env.get("GOOGLE_OAUTH_ACCESS_TOKEN"):
        return Credentials("access token", "GOOGLE_OAUTH_ACCESS_TOKEN")
    if env.get("GOOGLE_CREDENTIALS"):
        return Credentials("credentials", "GOOGLE_CREDENTIALS")
    explicit = env.get("GOOGLE_APPLICATION_CREDENTIALS")
    if explicit:
        if not Path(explicit).is_file():
            # The user meant to go live; silently planning offline would hide the typo.
            raise ConfigError([("GOOGLE_APPLICATION_CREDENTIALS", f"{explicit} does not exist",
                                "point it at a service-account or ADC JSON file, or unset it (and use --offline)")])
        return Credentials("key file", explicit)
    adc = _adc_folder(env, home) / ADC_FILE
    if adc.is_file():
        return Credentials("gcloud application-default login", str(adc))
    return None
