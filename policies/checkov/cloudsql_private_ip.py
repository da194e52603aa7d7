"""PV_GCP_8: Cloud SQL has no public IPv4 address.

checkov's CKV_GCP_60 passes an instance that omits `ipv4_enabled`, yet the provider's
default for it is true: here the attribute must be written out as false. The private
network is not checked: Cloud SQL refuses an instance with neither kind of address, and
the network's id is only known after apply, so a plan cannot show it.
"""

from pv_conf import blocks, undecided, value

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class CloudSqlPrivateIpOnly(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Cloud SQL instance sets ipv4_enabled = false (private IP only)",
            id="PV_GCP_8",
            categories=[CheckCategories.NETWORKING],
            supported_resources=["google_sql_database_instance"],
            guideline="in settings.ip_configuration set ipv4_enabled = false and private_network = <VPC id> (private services access)",
        )

    def scan_resource_conf(self, conf):
        self.evaluated_keys = ["settings/[0]/ip_configuration/[0]/ipv4_enabled"]
        settings = blocks(conf, "settings")
        ip_configs = blocks(settings[0], "ip_configuration") if settings else []
        ipv4 = value(ip_configs[0], "ipv4_enabled", True) if ip_configs else True
        if undecided(ipv4):
            return CheckResult.UNKNOWN
        return CheckResult.PASSED if ipv4 is False else CheckResult.FAILED


check = CloudSqlPrivateIpOnly()
