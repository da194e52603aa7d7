locals {
  service_name = "${var.name_prefix}-${var.role}"
  account_id   = "${var.name_prefix}-${var.role}-run"
  public       = var.settings.public
  database     = var.connections.database
  redis        = var.connections.redis

  # Cloud SQL IAM authentication: the database user of a service account is its
  # email without the ".gserviceaccount.com" suffix.
  database_user = "${local.account_id}@${var.project_id}.iam"

  database_env = local.database == null ? {} : {
    DB_HOST     = local.database.host
    DB_PORT     = "5432"
    DB_NAME     = local.database.name
    DB_USER     = local.database_user
    DB_IAM_AUTH = "true"
    DB_SSLMODE  = "require"
  }

  redis_env = local.redis == null ? {} : {
    REDIS_HOST    = local.redis.host
    REDIS_PORT    = tostring(local.redis.port)
    REDIS_TLS     = "true"
    REDIS_CA_CERT = local.redis.ca_cert
  }

  redis_secret_env = local.redis == null ? {} : { REDIS_AUTH = local.redis.auth_secret_id }

  database_roles = local.database == null ? [] : ["roles/cloudsql.client", "roles/cloudsql.instanceUser"]
}

module "service" {
  source = "../cloud_run_service"

  project_id          = var.project_id
  region              = var.region
  name                = local.service_name
  description         = local.public ? "FastAPI (${var.role}), public through the load balancer" : "FastAPI (${var.role}), private: invoked only by ${join(", ", keys(var.invokers))}"
  labels              = merge(var.labels, { component = var.role })
  deletion_protection = var.deletion_protection

  service_account = {
    account_id    = local.account_id
    project_roles = concat(["roles/logging.logWriter", "roles/monitoring.metricWriter", "roles/cloudtrace.agent"], local.database_roles)
  }

  container = {
    image               = var.container.image
    image_managed_by_ci = var.container.image_managed_by_ci
    env                 = merge(local.database_env, local.redis_env, var.container.env)
    secret_env          = merge(local.redis_secret_env, var.container.secret_env)
  }

  scaling = var.settings

  # Public: only the load balancer may deliver traffic, and it is the only URL.
  # Private: internal callers only, and each one must hold run.invoker.
  access = {
    ingress              = local.public ? "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER" : "INGRESS_TRAFFIC_INTERNAL_ONLY"
    invoker_iam_disabled = local.public
    default_uri_disabled = local.public
    invokers             = local.public ? {} : var.invokers
  }

  vpc_access = var.vpc_access
  deletion_protection_lifted = [
    for address in var.deletion_protection_lifted : trimprefix(address, "module.service.") if startswith(address, "module.service.")
  ]
}
