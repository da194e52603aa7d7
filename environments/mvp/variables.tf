variable "project_id" {
  description = "Google Cloud project that hosts the platform."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a Google Cloud project id: 6 to 30 lowercase letters, digits or hyphens."
  }
}

variable "region" {
  description = "Region of every regional resource."
  type        = string
  default     = "southamerica-east1"

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]$", var.region))
    error_message = "region must be a Google Cloud region such as southamerica-east1."
  }
}

variable "domain" {
  description = "Public domain of the site; its A record must point at the load_balancer_ip output."
  type        = string
}

variable "name_prefix" {
  description = "Prefix of every resource name (services <prefix>-api, instance <prefix>-pg, …)."
  type        = string
  default     = "pv"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,15}$", var.name_prefix)) && !endswith(var.name_prefix, "-")
    error_message = "name_prefix must start with a letter, use at most 16 lowercase letters, digits or hyphens and not end with a hyphen."
  }
}

variable "labels" {
  description = "Labels added to every labelled resource."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k, v in var.labels : can(regex("^[a-z][a-z0-9_-]{0,62}$", k)) && can(regex("^[a-z0-9_-]{0,63}$", v))])
    error_message = "Label keys must start with a lowercase letter; keys and values use lowercase letters, digits, _ and - (at most 63)."
  }
}

variable "api_image" {
  description = "FastAPI container image."
  type        = string
}

variable "deletion_protection" {
  description = "Deletion guards on Cloud Run services, Cloud SQL, Redis and secrets. Turn off only to tear a project down."
  type        = bool
  default     = true
}

variable "images_managed_by_ci" {
  description = "Let CI deploy container images after the first apply (Terraform then ignores image drift)."
  type        = bool
  default     = false
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
}

variable "api" {
  description = "Size, scaling and exposure of the FastAPI service (phases.toml [mvp.api])."
  type = object({
    cpu             = string
    memory          = string
    min_instances   = number
    max_instances   = number
    concurrency     = number
    timeout_seconds = number
    public          = bool
  })
}

variable "connector" {
  description = "How the Cloud Run services reach the VPC, and the connector's sizing (phases.toml [mvp.connector]). egress = \"connector\": a Serverless VPC Access connector of machine_type, min_instances to max_instances; \"direct\": Direct VPC egress on the network's main subnet, no connector (the sizes are then unused)."
  type = object({
    egress        = string
    machine_type  = string
    min_instances = number
    max_instances = number
  })

  validation {
    condition     = contains(["connector", "direct"], var.connector.egress)
    error_message = "connector.egress must be \"connector\" (Serverless VPC Access connector) or \"direct\" (Direct VPC egress); set it in pvctl.toml [phases.<phase>.connector]."
  }
}

variable "database" {
  description = "Cloud SQL tier, edition, availability, disk and backups (phases.toml [mvp.database])."
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
}

variable "edge" {
  description = "Load balancer features: Cloud CDN, Cloud Armor and the per-IP rate limit (phases.toml [mvp.edge])."
  type = object({
    cdn                   = bool
    armor                 = bool
    rate_limit_per_minute = number
  })
}

variable "secrets" {
  description = "Secret Manager containers to create, as <name_prefix>-<name> (phases.toml [mvp.secrets])."
  type = object({
    names = list(string)
  })
}

variable "deletion_protection_lifted" {
  description = "Resource addresses (module.<name>.<resource>) whose deletion protection pvctl's protected apply lifts for one approved replacement or removal. Passed as TF_VAR_deletion_protection_lifted, never in tfvars; empty otherwise."
  type        = set(string)
  default     = []
}
