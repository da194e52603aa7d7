module "service" {
  source = "../cloud_run_service"

  project_id          = var.project_id
  region              = var.region
  name                = "${var.name_prefix}-bff"
  description         = "Next.js BFF, public through the load balancer; calls the private API"
  labels              = merge(var.labels, { component = "bff" })
  deletion_protection = var.deletion_protection

  service_account = { account_id = "${var.name_prefix}-bff-run" }

  # The BFF mints an ID token from the metadata server with API_AUDIENCE as the
  # audience and calls API_URL with it.
  container = merge(var.container, {
    env = merge({
      API_URL      = var.api_url
      API_AUDIENCE = var.api_url
    }, var.container.env)
  })

  scaling = var.settings

  access = {
    ingress              = "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER"
    invoker_iam_disabled = true
    default_uri_disabled = true
  }

  # A call to an internal-only Cloud Run service counts as internal only when it
  # leaves through the VPC, so all egress goes through it (Cloud NAT for the rest).
  vpc_access = merge(var.vpc_access, { egress = "ALL_TRAFFIC" })
  deletion_protection_lifted = [
    for address in var.deletion_protection_lifted : trimprefix(address, "module.service.") if startswith(address, "module.service.")
  ]
}
