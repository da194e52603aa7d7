module "service" {
  source = "../cloud_run_service"

  project_id         = var.project_id
  region             = var.region
  name               = "${var.name_prefix}-bff"
  description        = "Next.js BFF, public through the load balancer; calls the private API"
  service_account_id = "${var.name_prefix}-bff-run"
  labels             = merge(var.labels, { component = "bff" })

  image                = var.image
  images_managed_by_ci = var.images_managed_by_ci
  cpu                  = var.settings.cpu
  memory               = var.settings.memory
  min_instances        = var.settings.min_instances
  max_instances        = var.settings.max_instances
  concurrency          = var.settings.concurrency
  timeout_seconds      = var.settings.timeout_seconds
  container_port       = var.container_port
  health_path          = var.health_path

  ingress              = "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER"
  invoker_iam_disabled = true
  default_uri_disabled = true

  # The BFF mints an ID token from the metadata server with API_AUDIENCE as the
  # audience and calls API_URL with it.
  env = merge({
    API_URL      = var.api_url
    API_AUDIENCE = var.api_url
  }, var.env)
  secret_env = var.secret_env

  # A call to an internal-only Cloud Run service counts as internal only when it
  # leaves through the VPC, so all egress goes through it (Cloud NAT for the rest).
  vpc_egress_mode = var.vpc_egress_mode
  vpc_egress      = "ALL_TRAFFIC"
  connector_id    = var.connector_id
  network_id      = var.network_id
  subnet_id       = var.subnet_id

  deletion_protection = var.deletion_protection
  deletion_protection_lifted = [
    for address in var.deletion_protection_lifted : trimprefix(address, "module.service.") if startswith(address, "module.service.")
  ]
}
