"""PV_GCP_1: the FastAPI service is never reachable straight from the internet."""

from pv_conf import is_api_service, undecided, value

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class CloudRunApiIngress(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Cloud Run API service takes traffic only through the load balancer or from inside the VPC",
            id="PV_GCP_1",
            categories=[CheckCategories.NETWORKING],
            supported_resources=["google_cloud_run_v2_service"],
            guideline=(
                "set ingress = \"INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER\" (public through the LB and Cloud Armor) "
                "or \"INGRESS_TRAFFIC_INTERNAL_ONLY\" with invoker_iam_disabled = false (private API)"
            ),
        )

    def scan_resource_conf(self, conf):
        if not is_api_service(conf):
            return CheckResult.UNKNOWN
        self.evaluated_keys = ["ingress", "invoker_iam_disabled"]
        # The provider's default ingress is ALL: leaving it out is a public API.
        ingress = value(conf, "ingress", "INGRESS_TRAFFIC_ALL")
        iam_disabled = value(conf, "invoker_iam_disabled", False)
        if undecided(ingress) or undecided(iam_disabled):
            return CheckResult.UNKNOWN
        if ingress == "INGRESS_TRAFFIC_ALL":
            return CheckResult.FAILED
        # Internal-only means private: anyone inside the VPC could call it without the IAM check.
        if ingress == "INGRESS_TRAFFIC_INTERNAL_ONLY" and iam_disabled is True:
            return CheckResult.FAILED
        return CheckResult.PASSED


check = CloudRunApiIngress()
