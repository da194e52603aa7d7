locals {
  service_name = "${var.name_prefix}-${var.role}"
  account_id   = "${var.name_prefix}-${var.role}-run"

  # Cloud SQL IAM authentication: the database user of a service account is its
  # email without the ".gserviceaccount.com" suffix.
  database_user = "${local.account_id}@${var.project_id}.iam"

  database_env = var.database == null ? {} : {
    DB_HOST     = var.database.host
    DB_PORT     = "5432"
    DB_NAME     = var.database.name
    DB_USER     = local.database_user
    DB_IAM_AUTH = "true"
    DB_SSLMODE  = "require"
  }

  redis_env = var.redis == null ? {} : {
    REDIS_HOST    = var.redis.host
    REDIS_PORT    = tostring(var.redis.port)
    REDIS_TLS     = "true"
    REDIS_CA_CERT = var.redis.ca_cert
  }

  redis_secret_env = var.redis == null ? {} : { REDIS_AUTH = var.redis.auth_secret_id }

  database_roles = var.database == null ? [] : ["roles/cloudsql.client", "roles/cloudsql.instanceUser"]
}

module "service" {
  source = "../cloud_run_service"

  project_id         = var.project_id
  region             = var.region
  name               = local.service_name
  description        = var.public ? "FastAPI (${var.role}), public through the load balancer" : "FastAPI (${var.role}), private: invoked only by ${join(", ", keys(var.invokers))}"
  service_account_id = local.account_id
  project_roles      = concat(["roles/logging.logWriter", "roles/monitoring.metricWriter", "roles/cloudtrace.agent"], local.database_roles)
  labels             = merge(var.labels, { component = var.role })

  image                = var.image
  images_managed_by_ci = var.images_managed_by_ci
  cpu                  = var.settings.cpu
  memory               = var.settings.memory
  min_instances        = var.settings.min_instances
  max_instances        = var.settings.max_instances
  concurrency          = var.settings.concurrency
  timeout_seconds      = var.settings.timeout_seconds

  # Public: only the load balancer may deliver traffic, and it is the only URL.
  # Private: internal callers only, and each one must hold run.invoker.
  ingress              = var.public ? "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER" : "INGRESS_TRAFFIC_INTERNAL_ONLY"
  invoker_iam_disabled = var.public
  default_uri_disabled = var.public
  invokers             = var.public ? {} : var.invokers

  env        = merge(local.database_env, local.redis_env, var.env)
  secret_env = merge(local.redis_secret_env, var.secret_env)

  vpc_egress_mode = var.vpc_egress_mode
  vpc_egress      = "PRIVATE_RANGES_ONLY"
  connector_id    = var.connector_id
  network_id      = var.network_id
  subnet_id       = var.subnet_id

  deletion_protection = var.deletion_protection
  deletion_protection_lifted = [
    for address in var.deletion_protection_lifted : trimprefix(address, "module.service.") if startswith(address, "module.service.")
  ]
}
