"""PV_GCP_2: nobody anonymous holds a role on the FastAPI service."""

from pv_conf import PUBLIC_MEMBERS, names_the_api, value

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class CloudRunApiNoPublicInvoker(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Cloud Run API service grants no role to allUsers or allAuthenticatedUsers",
            id="PV_GCP_2",
            categories=[CheckCategories.IAM],
            supported_resources=["google_cloud_run_v2_service_iam_member", "google_cloud_run_v2_service_iam_binding"],
            guideline=(
                "grant roles/run.invoker to the BFF's service account only; a public front goes through the "
                "load balancer with invoker_iam_disabled = true on the service instead of an allUsers grant"
            ),
        )

    def scan_resource_conf(self, conf):
        service = value(conf, "name")
        # `pv-api` in a plan, `google_cloud_run_v2_service.api.name` in HCL.
        if not names_the_api(service):
            return CheckResult.UNKNOWN
        members = conf.get("members", [[]])[0] if "members" in conf else [value(conf, "member")]
        self.evaluated_keys = ["members" if "members" in conf else "member"]
        if any(m in PUBLIC_MEMBERS for m in members or []):
            return CheckResult.FAILED
        return CheckResult.PASSED


check = CloudRunApiNoPublicInvoker()
