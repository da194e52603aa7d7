variable "project_id" {
  description = "Project of the instance."
  type        = string
}

variable "region" {
  description = "Region of the instance (same as the Cloud Run services)."
  type        = string
}

variable "name" {
  description = "Instance name (\"<prefix>-pg\"); names of deleted instances stay reserved for about a week."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,78}[a-z0-9]$", var.name))
    error_message = "name must be lowercase letters, digits or hyphens, start with a letter, not end with a hyphen, at most 80 characters."
  }
}

variable "labels" {
  description = "User labels on the instance."
  type        = map(string)
  default     = {}
}

variable "database_version" {
  description = "PostgreSQL major version. A change is an in-place major upgrade; test it on a clone first."
  type        = string
  default     = "POSTGRES_17"

  validation {
    condition     = contains(["POSTGRES_15", "POSTGRES_16", "POSTGRES_17", "POSTGRES_18"], var.database_version)
    error_message = "database_version must be POSTGRES_15, POSTGRES_16, POSTGRES_17 or POSTGRES_18."
  }
}

variable "settings" {
  description = "Size, availability and backups (the phase's database table)."
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

  validation {
    condition     = contains(["ENTERPRISE", "ENTERPRISE_PLUS"], var.settings.edition)
    error_message = "settings.edition must be ENTERPRISE or ENTERPRISE_PLUS."
  }

  # Shared-core and custom machine tiers exist only in Enterprise; Enterprise
  # Plus only runs its performance-optimized machine families.
  validation {
    condition = (
      var.settings.edition == "ENTERPRISE"
      ? can(regex("^db-(f1-micro|g1-small|custom-[0-9]+-[0-9]+|n1-(standard|highmem)-[0-9]+)$", var.settings.tier))
      : can(regex("^db-(perf-optimized-N-[0-9]+|c4a-highmem-[0-9]+)$", var.settings.tier))
    )
    error_message = "settings.tier does not belong to settings.edition: ENTERPRISE takes db-f1-micro, db-g1-small, db-custom-<cpu>-<mb> or db-n1-*; ENTERPRISE_PLUS takes db-perf-optimized-N-<cpu>."
  }

  validation {
    condition     = contains(["ZONAL", "REGIONAL"], var.settings.availability_type)
    error_message = "settings.availability_type must be ZONAL or REGIONAL."
  }

  validation {
    condition     = contains(["PD_SSD", "PD_HDD", "HYPERDISK_BALANCED"], var.settings.disk_type)
    error_message = "settings.disk_type must be PD_SSD, PD_HDD or HYPERDISK_BALANCED."
  }

  validation {
    condition     = var.settings.disk_size_gb >= 10 && var.settings.disk_size_gb <= 65536
    error_message = "settings.disk_size_gb must be from 10 to 65536."
  }

  validation {
    condition     = var.settings.backup_retained_count >= 1 && var.settings.backup_retained_count <= 365
    error_message = "settings.backup_retained_count must be from 1 to 365."
  }

  validation {
    condition = (
      var.settings.transaction_log_retention_days >= 1 &&
      var.settings.transaction_log_retention_days <= (var.settings.edition == "ENTERPRISE" ? 7 : 35)
    )
    error_message = "settings.transaction_log_retention_days must be 1-7 for ENTERPRISE (1-35 for ENTERPRISE_PLUS)."
  }
}

variable "disk_autoresize_limit_gb" {
  description = "Ceiling for automatic disk growth (0 = no ceiling); disks never shrink."
  type        = number
  default     = 500
}

variable "backup_start_time" {
  description = "Daily backup window start, HH:MM UTC (default 06:00 UTC = 03:00 in São Paulo)."
  type        = string
  default     = "06:00"

  validation {
    condition     = can(regex("^([01][0-9]|2[0-3]):[0-5][0-9]$", var.backup_start_time))
    error_message = "backup_start_time must be HH:MM (24 h, UTC)."
  }
}

variable "backup_location" {
  description = "Multi-region or region for backups (null = nearest multi-region)."
  type        = string
  default     = null
}

variable "maintenance_window" {
  description = "Weekly maintenance window: day 1-7 (Monday = 1), hour 0-23 UTC."
  type = object({
    day  = number
    hour = number
  })
  default = { day = 7, hour = 7 }

  validation {
    condition     = var.maintenance_window.day >= 1 && var.maintenance_window.day <= 7 && var.maintenance_window.hour >= 0 && var.maintenance_window.hour <= 23
    error_message = "maintenance_window.day must be 1-7 and hour 0-23."
  }
}

variable "extra_flags" {
  description = "Additional PostgreSQL flags (name → value); the module's own flags cannot be overridden here."
  type        = map(string)
  default     = {}

  validation {
    condition = length(setintersection(keys(var.extra_flags), [
      "cloudsql.iam_authentication", "cloudsql.enable_pgaudit", "pgaudit.log", "log_checkpoints", "log_connections",
      "log_disconnections", "log_lock_waits", "log_hostname", "log_min_messages", "log_min_error_statement",
      "log_temp_files", "log_min_duration_statement", "log_statement",
    ])) == 0
    error_message = "extra_flags must not repeat a flag the module already sets (see README)."
  }
}

variable "network_id" {
  description = "VPC network id for the private IP."
  type        = string
}

variable "psa_range_name" {
  description = "Private Service Access range to allocate the private IP from (network module output, which also orders creation after the peering)."
  type        = string
}

variable "database_name" {
  description = "Application database created on the instance."
  type        = string
  default     = "app"
}

variable "admin_user" {
  description = "Built-in administrator user (migrations, break-glass)."
  type        = string
  default     = "pvadmin"
}

variable "admin_password" {
  description = "Administrator password; write-only, never stored in plan or state."
  type        = string
  sensitive   = true
  ephemeral   = true
  nullable    = false
}

variable "admin_password_version" {
  description = "Bump to send a new admin_password to Cloud SQL."
  type        = number

  validation {
    condition     = var.admin_password_version >= 1 && floor(var.admin_password_version) == var.admin_password_version
    error_message = "admin_password_version must be a whole number of at least 1."
  }
}

variable "iam_service_accounts" {
  description = "Service account emails that get a Cloud SQL IAM database user, keyed by a static label (e.g. { api = … })."
  type        = map(string)
  default     = {}
}

variable "deletion_protection" {
  description = "Both guards: Terraform refuses to destroy, and the Cloud SQL API refuses deletion."
  type        = bool
  default     = true
}
