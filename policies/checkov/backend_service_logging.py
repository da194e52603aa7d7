"""PV_GCP_5: load balancer request logs are on (Cloud Armor decisions are only visible there)."""

from pv_conf import blocks, undecided, value

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class BackendServiceLogging(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Backend service logs requests",
            id="PV_GCP_5",
            categories=[CheckCategories.LOGGING],
            supported_resources=["google_compute_backend_service"],
            guideline="add log_config { enable = true, sample_rate = 1.0 } to the backend service",
        )

    def scan_resource_conf(self, conf):
        self.evaluated_keys = ["log_config/[0]/enable"]
        configs = blocks(conf, "log_config")
        enabled = value(configs[0], "enable") if configs else False
        if undecided(enabled):
            return CheckResult.UNKNOWN
        return CheckResult.PASSED if enabled is True else CheckResult.FAILED


check = BackendServiceLogging()
