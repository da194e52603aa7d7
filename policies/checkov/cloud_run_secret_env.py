"""PV_GCP_3: secrets reach Cloud Run containers only as Secret Manager references."""

import re

from pv_conf import blocks, value

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

_SECRET_WORDS = {"TOKEN", "SECRET", "PASSWORD", "PASSWD", "PWD", "KEY", "APIKEY", "CREDENTIAL", "CREDENTIALS", "PRIVATE"}
# Names that point at a secret rather than hold one (SECRET_NAME, KEY_ID, TOKEN_URL...).
_POINTER_SUFFIXES = {"NAME", "ID", "FILE", "PATH", "URL", "URI", "VERSION", "REF", "HEADER"}


# An environment variable name; anything else is an unrendered expression (a dynamic
# block's `env.key` in HCL), judged later on the plan where it is rendered.
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def looks_secret(name: str) -> bool:
    if not _ENV_NAME.match(name):
        return False
    words = [w for w in re.split(r"[^A-Za-z0-9]+", name.upper()) if w]
    return bool(words) and words[-1] not in _POINTER_SUFFIXES and any(w in _SECRET_WORDS for w in words)


def _containers(conf):
    # Services: template.containers; jobs: template.template.containers.
    for template in blocks(conf, "template"):
        yield from blocks(template, "containers")
        yield from _containers(template)


class CloudRunSecretEnvByReference(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Cloud Run secret-looking environment variables come from Secret Manager, not plain values",
            id="PV_GCP_3",
            categories=[CheckCategories.SECRETS],
            supported_resources=["google_cloud_run_v2_service", "google_cloud_run_v2_job"],
            guideline=(
                "replace `value` with value_source { secret_key_ref { secret = <secret id>, version = \"latest\" } } "
                "and store the value with `pvctl secrets set NAME`"
            ),
        )

    def scan_resource_conf(self, conf):
        self.evaluated_keys = ["template"]
        for container in _containers(conf):
            for env in blocks(container, "env"):
                name, plain = value(env, "name"), value(env, "value")
                if isinstance(name, str) and looks_secret(name) and plain not in (None, ""):
                    return CheckResult.FAILED
        return CheckResult.PASSED


check = CloudRunSecretEnvByReference()
