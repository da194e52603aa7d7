"""PV_GCP_4: every internet-facing backend service sits behind a Cloud Armor policy."""

from pv_conf import is_set, value

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

_INTERNAL_SCHEMES = {"INTERNAL", "INTERNAL_MANAGED", "INTERNAL_SELF_MANAGED"}


class BackendServiceArmor(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="External backend service has a Cloud Armor security policy attached",
            id="PV_GCP_4",
            categories=[CheckCategories.NETWORKING],
            supported_resources=["google_compute_backend_service"],
            guideline="set security_policy = google_compute_security_policy.<name>.id (edge.armor = true in the phase)",
        )

    def scan_resource_conf(self, conf):
        if value(conf, "load_balancing_scheme") in _INTERNAL_SCHEMES:
            return CheckResult.UNKNOWN
        self.evaluated_keys = ["security_policy"]
        policy = value(conf, "security_policy")
        # A variable may still be null; a resource reference or an after-apply id is a policy.
        if isinstance(policy, str) and policy.startswith(("var.", "local.")):
            return CheckResult.UNKNOWN
        return CheckResult.PASSED if is_set(policy) else CheckResult.FAILED


check = BackendServiceArmor()
