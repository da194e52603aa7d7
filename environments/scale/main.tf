# Phase scale: the public Next.js BFF behind the load balancer (CDN + Cloud
# Armor), the FastAPI core private (only the BFF's service account may invoke
# it), a public webhook receiver for /webhooks/*, regional HA Cloud SQL, Redis
# STANDARD_HA, alerting and a budget.
#
# Module call names are shared with mvp and growth: every resource that exists
# in two phases has the same address, so promotion updates it in place.

locals {
  labels = merge(var.labels, { app = "piloto-de-vendas", phase = "scale", managed-by = "pvctl" })

  # Every application secret except the admin password (read by pvctl, not by
  # the services) becomes an environment variable of the API.
  app_secret_env = { for name, id in module.secrets.ids : upper(replace(name, "-", "_")) => id if name != "db-admin-password" }

  # The webhook receiver only needs the credentials of the callers it verifies.
  webhook_secret_env = { for name, id in module.secrets.ids : upper(replace(name, "-", "_")) => id if contains(["whatsapp-token", "crm-api-token"], name) }

  redis = {
    host           = module.redis.host
    port           = module.redis.port
    ca_cert        = module.redis.ca_cert
    auth_secret_id = module.redis.auth_secret_id
  }
  database = { host = module.database.private_ip, name = module.database.database_name }

  # "module.redis.google_redis_instance.this" -> { redis = ["google_redis_instance.this"] }
  deletion_protection_lifted = {
    for address in var.deletion_protection_lifted :
    split(".", address)[1] => trimprefix(address, "module.${split(".", address)[1]}.")...
  }
}

module "services" {
  source = "../../modules/project_services"

  project_id = var.project_id
  services = [
    "billingbudgets.googleapis.com",
    "cloudresourcemanager.googleapis.com",
    "compute.googleapis.com",
    "iam.googleapis.com",
    "logging.googleapis.com",
    "monitoring.googleapis.com",
    "redis.googleapis.com",
    "run.googleapis.com",
    "secretmanager.googleapis.com",
    "servicenetworking.googleapis.com",
    "sqladmin.googleapis.com",
    "vpcaccess.googleapis.com",
  ]
}

module "network" {
  source = "../../modules/network"

  project_id  = var.project_id
  region      = var.region
  name_prefix = var.name_prefix

  depends_on = [module.services]
}

# Only with egress = "connector" ([scale.connector] egress in phases.toml); with "direct" the
# Cloud Run services use Direct VPC egress on the network's main subnet and no connector exists.
module "connector" {
  source = "../../modules/vpc_connector"
  count  = var.connector.egress == "connector" ? 1 : 0

  project_id    = var.project_id
  region        = var.region
  name          = "${var.name_prefix}-conn"
  subnet_name   = module.network.connector_subnet_name
  machine_type  = var.connector.machine_type
  min_instances = var.connector.min_instances
  max_instances = var.connector.max_instances
}

# The connector was unconditional before the egress option: states written then hold it at
# module.connector, and this moves it to module.connector[0] without replacing it.
moved {
  from = module.connector
  to   = module.connector[0]
}

module "secrets" {
  source = "../../modules/secrets"

  project_id          = var.project_id
  region              = var.region
  name_prefix         = var.name_prefix
  names               = var.secrets.names
  labels              = local.labels
  deletion_protection = var.deletion_protection

  deletion_protection_lifted = lookup(local.deletion_protection_lifted, "secrets", [])

  depends_on = [module.services]
}

module "database" {
  source = "../../modules/cloudsql"

  project_id             = var.project_id
  region                 = var.region
  name                   = "${var.name_prefix}-pg"
  labels                 = local.labels
  settings               = var.database
  network_id             = module.network.network_id
  psa_range_name         = module.network.psa_range_name
  admin_password         = var.db_admin_password
  admin_password_version = var.db_admin_password_version
  iam_service_accounts = {
    api      = module.api.service_account_email
    webhooks = module.webhooks.service_account_email
  }
  deletion_protection = var.deletion_protection
}

module "redis" {
  source = "../../modules/memorystore"

  project_id          = var.project_id
  region              = var.region
  name                = "${var.name_prefix}-redis"
  labels              = local.labels
  settings            = var.redis
  network_id          = module.network.network_id
  psa_range_name      = module.network.psa_range_name
  deletion_protection = var.deletion_protection

  deletion_protection_lifted = lookup(local.deletion_protection_lifted, "redis", [])
}

module "api" {
  source = "../../modules/cloud_run_api"

  project_id           = var.project_id
  region               = var.region
  name_prefix          = var.name_prefix
  role                 = "api"
  labels               = local.labels
  image                = var.api_image
  images_managed_by_ci = var.images_managed_by_ci
  settings             = var.api
  public               = var.api.public
  invokers             = { bff = module.bff.service_account_member }
  vpc_egress_mode      = var.connector.egress
  connector_id         = one(module.connector[*].id)
  network_id           = module.network.network_id
  subnet_id            = module.network.subnet_id
  database             = local.database
  redis                = local.redis
  secret_env           = local.app_secret_env
  deletion_protection  = var.deletion_protection

  deletion_protection_lifted = lookup(local.deletion_protection_lifted, "api", [])
}

module "bff" {
  source = "../../modules/cloud_run_bff"

  project_id           = var.project_id
  region               = var.region
  name_prefix          = var.name_prefix
  labels               = local.labels
  image                = var.bff_image
  images_managed_by_ci = var.images_managed_by_ci
  settings             = var.bff
  api_url              = module.api.uri
  vpc_egress_mode      = var.connector.egress
  connector_id         = one(module.connector[*].id)
  network_id           = module.network.network_id
  subnet_id            = module.network.subnet_id
  deletion_protection  = var.deletion_protection

  deletion_protection_lifted = lookup(local.deletion_protection_lifted, "bff", [])
}

# Same FastAPI image as the API, exposed through the load balancer for the
# webhook paths only, so WhatsApp and CRM callbacks (which cannot present
# Google ID tokens) keep working while the API itself is private.
module "webhooks" {
  source = "../../modules/cloud_run_api"

  project_id           = var.project_id
  region               = var.region
  name_prefix          = var.name_prefix
  role                 = "webhooks"
  labels               = local.labels
  image                = var.api_image
  images_managed_by_ci = var.images_managed_by_ci
  settings             = var.webhooks
  public               = true
  vpc_egress_mode      = var.connector.egress
  connector_id         = one(module.connector[*].id)
  network_id           = module.network.network_id
  subnet_id            = module.network.subnet_id
  database             = local.database
  redis                = local.redis
  secret_env           = local.webhook_secret_env
  deletion_protection  = var.deletion_protection

  deletion_protection_lifted = lookup(local.deletion_protection_lifted, "webhooks", [])
}

module "edge" {
  source = "../../modules/lb_cdn_armor"

  project_id  = var.project_id
  region      = var.region
  name_prefix = var.name_prefix
  labels      = local.labels
  domains     = [var.domain]
  backends = {
    bff      = { service_name = module.bff.name, cdn = var.edge.cdn }
    webhooks = { service_name = module.webhooks.name, cdn = false }
  }
  default_backend       = "bff"
  path_rules            = [{ backend = "webhooks", path_prefixes = var.webhooks.path_prefixes }]
  armor                 = var.edge.armor
  rate_limit_per_minute = var.edge.rate_limit_per_minute
}

module "monitoring" {
  source = "../../modules/monitoring"

  project_id      = var.project_id
  name_prefix     = var.name_prefix
  alert_email     = var.alert_email
  service_names   = [module.api.name, module.bff.name, module.webhooks.name]
  uptime_host     = var.domain
  thresholds      = var.monitoring
  billing_account = var.billing_account
  budget          = var.budget

  depends_on = [module.services]
}
