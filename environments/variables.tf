variable "phase" {
  description = "Name of the phase this plan applies (phases.toml); the state's outputs keep it for the downgrade guard."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z][a-z0-9_-]*$", var.phase))
    error_message = "phase must be a phase name from phases.toml, such as mvp."
  }
}

variable "phase_order" {
  description = "Position of the phase in the promotion order (phases.toml order: mvp 1, growth 2, scale 3)."
  type        = number
  nullable    = false

  validation {
    condition     = var.phase_order >= 1 && floor(var.phase_order) == var.phase_order
    error_message = "phase_order must be a whole number of at least 1."
  }
}

variable "project_id" {
  description = "Google Cloud project that hosts the platform."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a Google Cloud project id: 6 to 30 lowercase letters, digits or hyphens."
  }
}

variable "region" {
  description = "Region of every regional resource."
  type        = string
  default     = "southamerica-east1"
  nullable    = false

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]$", var.region))
    error_message = "region must be a Google Cloud region such as southamerica-east1."
  }
}

variable "domain" {
  description = "Public domain of the site; its A record must point at the load_balancer_ip output."
  type        = string
  nullable    = false
}

variable "name_prefix" {
  description = "Prefix of every resource name (services <prefix>-api, instance <prefix>-pg, …)."
  type        = string
  default     = "pv"
  nullable    = false

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,15}$", var.name_prefix)) && !endswith(var.name_prefix, "-")
    error_message = "name_prefix must start with a letter, use at most 16 lowercase letters, digits or hyphens and not end with a hyphen."
  }
}

variable "labels" {
  description = "Labels added to every labelled resource."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for k, v in var.labels : can(regex("^[a-z][a-z0-9_-]{0,62}$", k)) && can(regex("^[a-z0-9_-]{0,63}$", v))])
    error_message = "Label keys must start with a lowercase letter; keys and values use lowercase letters, digits, _ and - (at most 63)."
  }
}

variable "api_image" {
  description = "FastAPI container image."
  type        = string
  nullable    = false
}

variable "deletion_protection" {
  description = "Deletion guards on Cloud Run services, Cloud SQL, Redis and secrets. Turn off only to tear a project down."
  type        = bool
  default     = true
  nullable    = false
}

variable "images_managed_by_ci" {
  description = "Let CI deploy container images after the first apply (Terraform then ignores image drift)."
  type        = bool
  default     = false
  nullable    = false
}

variable "db_admin_password" {
  description = "Password of the Cloud SQL admin user; passed as TF_VAR_db_admin_password, write-only, never stored."
  type        = string
  sensitive   = true
  ephemeral   = true
  nullable    = false
}

variable "db_admin_password_version" {
  description = "Bump to send a new db_admin_password to Cloud SQL."
  type        = number
  default     = 1
  nullable    = false
}

variable "bff_image" {
  description = "Next.js BFF container image (phases with a bff table)."
  type        = string
  default     = ""
  nullable    = false

  validation {
    condition     = var.bff == null || var.bff_image != ""
    error_message = "bff_image is required when the phase has a bff table."
  }
}

variable "alert_email" {
  description = "Address that receives alerts and budget notifications (phases with a monitoring table)."
  type        = string
  default     = ""
  nullable    = false

  validation {
    condition     = var.monitoring == null || var.alert_email != ""
    error_message = "alert_email is required when the phase has a monitoring table."
  }
}

variable "billing_account" {
  description = "Billing account id for the budget; empty string = no budget."
  type        = string
  default     = ""
  nullable    = false
}

variable "api" {
  description = "Size, scaling and exposure of the FastAPI service (phases.toml [<phase>.api])."
  type = object({
    cpu             = string
    memory          = string
    min_instances   = number
    max_instances   = number
    concurrency     = number
    timeout_seconds = number
    public          = bool
  })
  nullable = false
}

variable "bff" {
  description = "Size and scaling of the Next.js BFF (phases.toml [<phase>.bff]); null before the site splits (no bff table): the API then serves the site.."
  type = object({
    cpu             = string
    memory          = string
    min_instances   = number
    max_instances   = number
    concurrency     = number
    timeout_seconds = number
  })
  default = null
}

variable "webhooks" {
  description = "Size and scaling of the public webhook receiver, and the paths the load balancer routes to it (phases.toml [<phase>.webhooks]); given together with bff.."
  type = object({
    cpu             = string
    memory          = string
    min_instances   = number
    max_instances   = number
    concurrency     = number
    timeout_seconds = number
    path_prefixes   = list(string)
  })
  default = null

  validation {
    condition     = (var.webhooks == null) == (var.bff == null)
    error_message = "webhooks and bff go together: a phase that splits the site has both tables, other phases neither."
  }
}

variable "connector" {
  description = "How the Cloud Run services reach the VPC, and the connector's sizing (phases.toml [<phase>.connector]). egress = \"connector\": a Serverless VPC Access connector of machine_type, min_instances to max_instances; \"direct\": Direct VPC egress on the network's main subnet, no connector (the sizes are then unused)."
  type = object({
    egress        = string
    machine_type  = string
    min_instances = number
    max_instances = number
  })
  nullable = false

  validation {
    condition     = contains(["connector", "direct"], var.connector.egress)
    error_message = "connector.egress must be \"connector\" (Serverless VPC Access connector) or \"direct\" (Direct VPC egress); set it in pvctl.toml [phases.<phase>.connector]."
  }
}

variable "database" {
  description = "Cloud SQL tier, edition, availability, disk and backups (phases.toml [<phase>.database])."
  type = object({
    tier                           = string
    edition                        = string
    availability_type              = string
    disk_type                      = string
    disk_size_gb                   = number
    backup_retained_count          = number
    point_in_time_recovery         = bool
    transaction_log_retention_days = number
    read_replica                   = bool
  })
  nullable = false
}

variable "redis" {
  description = "Memorystore tier, size and version (phases.toml [<phase>.redis]); null = no cache.."
  type = object({
    tier           = string
    memory_size_gb = number
    version        = string
  })
  default = null
}

variable "edge" {
  description = "Load balancer features: Cloud CDN, Cloud Armor and the per-IP rate limit (phases.toml [<phase>.edge])."
  type = object({
    cdn                   = bool
    armor                 = bool
    rate_limit_per_minute = number
  })
  nullable = false
}

variable "monitoring" {
  description = "Alert thresholds and the uptime check path (phases.toml [<phase>.monitoring]); null = no alerting.."
  type = object({
    cpu_utilization_threshold = number
    latency_p95_threshold_ms  = number
    error_5xx_ratio_threshold = number
    uptime_check_path         = string
  })
  default = null
}

variable "budget" {
  description = "Monthly budget in USD and notification thresholds (phases.toml [<phase>.budget]); null = no budget.."
  type = object({
    amount_usd       = number
    alert_thresholds = list(number)
  })
  default = null
}

variable "secrets" {
  description = "Secret Manager containers to create, as <name_prefix>-<name> (phases.toml [<phase>.secrets])."
  type = object({
    names = list(string)
  })
  nullable = false
}

variable "deletion_protection_lifted" {
  description = "Resource addresses (module.<name>.<resource>) whose deletion protection pvctl's protected apply lifts for one approved replacement or removal. Passed as TF_VAR_deletion_protection_lifted, never in tfvars; empty otherwise."
  type        = set(string)
  default     = []
}
