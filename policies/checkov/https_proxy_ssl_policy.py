"""PV_GCP_6: the HTTPS proxy names an SSL policy (Google's default one still accepts TLS 1.0)."""

from pv_conf import is_set, value

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class HttpsProxySslPolicy(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Target HTTPS proxy has an SSL policy (TLS 1.2 or newer, enforced by CKV_GCP_4)",
            id="PV_GCP_6",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=["google_compute_target_https_proxy"],
            guideline="set ssl_policy = google_compute_ssl_policy.<name>.id with profile MODERN and min_tls_version TLS_1_2",
        )

    def scan_resource_conf(self, conf):
        self.evaluated_keys = ["ssl_policy"]
        # A reference or an after-apply id both count as set; only an absent/empty value fails.
        return CheckResult.PASSED if is_set(value(conf, "ssl_policy")) else CheckResult.FAILED


check = HttpsProxySslPolicy()
