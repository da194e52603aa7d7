# The platform at every phase: one composition whose shape follows the phase's tables in
# phases.toml (rendered into the tfvars file). A table a phase lacks turns its modules off
# (count = 0): no redis table, no module.redis; no bff table, a single public API serves the site.
#
# Module call names never depend on the phase: a resource that exists in two phases has the
# same address in both, so promotion (one state for all phases) updates it in place.

locals {
  labels = merge(var.labels, { app = "piloto-de-vendas", phase = var.phase, managed-by = "pvctl" })

  # The site splits into a public BFF, a private API and a webhook receiver together.
  split_site = var.bff != null
  redis_on   = var.redis != null

  # Every API the phase's resources need; budgets also need Cloud Resource Manager (the
  # project number) and the Billing Budgets API.
  services = concat(
    [
      "compute.googleapis.com",
      "iam.googleapis.com",
      "logging.googleapis.com",
      "monitoring.googleapis.com",
      "run.googleapis.com",
      "secretmanager.googleapis.com",
      "servicenetworking.googleapis.com",
      "sqladmin.googleapis.com",
      "vpcaccess.googleapis.com",
    ],
    local.redis_on ? ["redis.googleapis.com"] : [],
    var.budget != null ? ["billingbudgets.googleapis.com", "cloudresourcemanager.googleapis.com"] : [],
  )

  # Every application secret except the admin password (read by pvctl, not by the
  # services) becomes an environment variable of the API.
  secret_env = { for name, id in module.secrets.ids : upper(replace(name, "-", "_")) => id if name != "db-admin-password" }
  # The webhook receiver only needs the credentials of the callers it verifies.
  webhook_secret_env = { for name, id in local.secret_env : name => id if contains(["WHATSAPP_TOKEN", "CRM_API_TOKEN"], name) }

  # How every Cloud Run service reaches the VPC: through the connector, or with Direct VPC
  # egress on the main subnet (connector.egress = "direct", and then no connector exists).
  vpc_access = {
    mode         = var.connector.egress
    connector_id = one(module.connector[*].id)
    network_id   = module.network.network_id
    subnet_id    = module.network.subnet_id
  }

  private_network = { id = module.network.network_id, psa_range_name = module.network.psa_range_name }

  connections = {
    database = { host = module.database.writer_private_ip, name = module.database.database_name }
    redis = local.redis_on ? {
      host           = module.redis[0].host
      port           = module.redis[0].port
      ca_cert        = module.redis[0].ca_cert
      auth_secret_id = module.redis[0].auth_secret_id
    } : null
  }

  # Before the split the API is the site; after it the BFF is, and webhooks keep a public path.
  backends = local.split_site ? {
    bff      = { service_name = module.bff[0].name, cdn = var.edge.cdn }
    webhooks = { service_name = module.webhooks[0].name, cdn = false }
  } : { api = { service_name = module.api.name, cdn = var.edge.cdn } }
  service_names = concat([module.api.name], module.bff[*].name, module.webhooks[*].name)

  # "module.redis[0].google_redis_instance.this" -> { "redis[0]" = ["google_redis_instance.this"] }
  deletion_protection_lifted = {
    for address in var.deletion_protection_lifted :
    split(".", address)[1] => trimprefix(address, "module.${split(".", address)[1]}.")...
  }

  # The services anonymous users and callers reach: they carry the SLOs.
  public_service_names = concat(var.api.public ? [module.api.name] : [], module.bff[*].name, module.webhooks[*].name)
}

module "services" {
  source = "../modules/project_services"

  project_id = var.project_id
  services   = local.services
}

module "network" {
  source = "../modules/network"

  project_id  = var.project_id
  region      = var.region
  name_prefix = var.name_prefix

  depends_on = [module.services]
}

module "connector" {
  source = "../modules/vpc_connector"
  count  = var.connector.egress == "connector" ? 1 : 0

  project_id  = var.project_id
  region      = var.region
  name        = "${var.name_prefix}-conn"
  subnet_name = module.network.connector_subnet_name
  settings    = var.connector
}

module "secrets" {
  source = "../modules/secrets"

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
  source = "../modules/cloudsql"

  project_id           = var.project_id
  region               = var.region
  name                 = "${var.name_prefix}-pg"
  labels               = local.labels
  settings             = var.database
  network              = local.private_network
  admin                = { password_version = var.db_admin_password_version }
  admin_password       = var.db_admin_password
  iam_service_accounts = merge({ api = module.api.service_account_email }, local.split_site ? { webhooks = module.webhooks[0].service_account_email } : {})
  disaster_recovery    = var.disaster_recovery
  deletion_protection  = var.deletion_protection

  deletion_protection_lifted = lookup(local.deletion_protection_lifted, "database", [])
}

module "redis" {
  source = "../modules/memorystore"
  count  = local.redis_on ? 1 : 0

  project_id          = var.project_id
  region              = var.region
  name                = "${var.name_prefix}-redis"
  labels              = local.labels
  settings            = var.redis
  network             = local.private_network
  deletion_protection = var.deletion_protection

  deletion_protection_lifted = lookup(local.deletion_protection_lifted, "redis[0]", [])
}

module "api" {
  source = "../modules/cloud_run_api"

  project_id          = var.project_id
  region              = var.region
  name_prefix         = var.name_prefix
  role                = "api"
  labels              = local.labels
  deletion_protection = var.deletion_protection
  container           = { image = var.api_image, image_managed_by_ci = var.images_managed_by_ci, secret_env = local.secret_env }
  settings            = var.api
  invokers            = local.split_site ? { bff = module.bff[0].service_account_member } : {}
  connections         = local.connections
  vpc_access          = local.vpc_access

  deletion_protection_lifted = lookup(local.deletion_protection_lifted, "api", [])
}

# The public Next.js front end once the site splits (phases with a bff table).
module "bff" {
  source = "../modules/cloud_run_bff"
  count  = local.split_site ? 1 : 0

  project_id          = var.project_id
  region              = var.region
  name_prefix         = var.name_prefix
  labels              = local.labels
  deletion_protection = var.deletion_protection
  container           = { image = var.bff_image, image_managed_by_ci = var.images_managed_by_ci }
  settings            = var.bff
  api_url             = module.api.uri
  vpc_access          = local.vpc_access

  deletion_protection_lifted = lookup(local.deletion_protection_lifted, "bff[0]", [])
}

# Same FastAPI image as the API, exposed through the load balancer for the webhook paths
# only, so WhatsApp and CRM callbacks (which cannot present Google ID tokens) keep working
# while the API itself is private.
module "webhooks" {
  source = "../modules/cloud_run_api"
  count  = local.split_site ? 1 : 0

  project_id          = var.project_id
  region              = var.region
  name_prefix         = var.name_prefix
  role                = "webhooks"
  labels              = local.labels
  deletion_protection = var.deletion_protection
  container           = { image = var.api_image, image_managed_by_ci = var.images_managed_by_ci, secret_env = local.webhook_secret_env }
  settings            = merge(var.webhooks, { public = true })
  connections         = local.connections
  vpc_access          = local.vpc_access

  deletion_protection_lifted = lookup(local.deletion_protection_lifted, "webhooks[0]", [])
}

module "edge" {
  source = "../modules/lb_cdn_armor"

  project_id  = var.project_id
  region      = var.region
  name_prefix = var.name_prefix
  labels      = local.labels
  domains     = [var.domain]
  routing = {
    backends        = local.backends
    default_backend = local.split_site ? "bff" : "api"
    path_rules      = local.split_site ? [{ backend = "webhooks", path_prefixes = var.webhooks.path_prefixes }] : []
  }
  security = var.edge
}

module "monitoring" {
  source = "../modules/monitoring"
  count  = var.monitoring != null ? 1 : 0

  project_id        = var.project_id
  region            = var.region
  name_prefix       = var.name_prefix
  alert_email       = var.alert_email
  service_names     = local.service_names
  slo_service_names = local.public_service_names
  uptime_host       = var.domain
  thresholds        = var.monitoring
  # Budgets live on the billing account: without one there is nothing to attach to.
  budget = var.budget == null || var.billing_account == "" ? null : {
    billing_account  = var.billing_account
    amount_usd       = var.budget.amount_usd
    alert_thresholds = var.budget.alert_thresholds
  }

  depends_on = [module.services]
}

# One dashboard per phase, alerting or not: dashboards are free.
module "dashboard" {
  source = "../modules/dashboard"

  project_id    = var.project_id
  display_name  = "${var.name_prefix}: ${var.phase}"
  service_names = local.service_names
  sources = {
    database_instance = module.database.instance_name
    redis_instance    = one(module.redis[*].name)
    redis_region      = local.redis_on ? var.region : null
    url_map_name      = module.edge.url_map_name
    armor_policy_name = module.edge.security_policy_name
  }

  depends_on = [module.services]
}
