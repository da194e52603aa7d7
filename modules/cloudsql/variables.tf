variable "project_id" {
  description = "Project of the instance."
  type        = string
  nullable    = false
}

variable "region" {
  description = "Region of the instance (same as the Cloud Run services)."
  type        = string
  nullable    = false
}

variable "name" {
  description = "Instance name (\"<prefix>-pg\"); names of deleted instances stay reserved for about a week."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,78}[a-z0-9]$", var.name))
    error_message = "name must be lowercase letters, digits or hyphens, start with a letter, not end with a hyphen, at most 80 characters."
  }
}

variable "labels" {
  description = "User labels on the instance."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "settings" {
  description = "The instance: size, availability, disk and backups (the phase's database table), database_version (a change is an in-place major upgrade; test it on a clone first), disk_autoresize_limit_gb (0 = no ceiling; disks never shrink), backup_start_time (HH:MM UTC), backup_location (null = nearest multi-region), maintenance_window (day 1-7, Monday = 1; hour 0-23 UTC) and database_name (the application database)."
  type = object({
    tier                           = optional(string, "db-f1-micro")
    edition                        = optional(string, "ENTERPRISE")
    availability_type              = optional(string, "ZONAL")
    disk_type                      = optional(string, "PD_SSD")
    disk_size_gb                   = optional(number, 10)
    backup_retained_count          = optional(number, 7)
    point_in_time_recovery         = optional(bool, true)
    transaction_log_retention_days = optional(number, 7)
    read_replica                   = optional(bool, false)
    database_version               = optional(string, "POSTGRES_17")
    disk_autoresize_limit_gb       = optional(number, 500)
    backup_start_time              = optional(string, "06:00")
    backup_location                = optional(string)
    maintenance_window             = optional(object({ day = number, hour = number }), { day = 7, hour = 7 })
    database_name                  = optional(string, "app")
  })
  default  = {}
  nullable = false

  validation {
    condition     = contains(["POSTGRES_15", "POSTGRES_16", "POSTGRES_17", "POSTGRES_18"], var.settings.database_version)
    error_message = "settings.database_version must be POSTGRES_15, POSTGRES_16, POSTGRES_17 or POSTGRES_18."
  }

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

  validation {
    condition     = can(regex("^([01][0-9]|2[0-3]):[0-5][0-9]$", var.settings.backup_start_time))
    error_message = "settings.backup_start_time must be HH:MM (24 h, UTC)."
  }

  validation {
    condition     = var.settings.maintenance_window.day >= 1 && var.settings.maintenance_window.day <= 7 && var.settings.maintenance_window.hour >= 0 && var.settings.maintenance_window.hour <= 23
    error_message = "settings.maintenance_window.day must be 1-7 and hour 0-23."
  }
}

variable "flags" {
  description = "PostgreSQL flags added to the module's own (IAM authentication, pgaudit and the logging flags listed in the README); a flag the module sets cannot be changed here."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "network" {
  description = "Private networking: id of the VPC network, and psa_range_name, the Private Service Access range to allocate the private IP from (the network module's output, which also orders creation after the peering)."
  type = object({
    id             = string
    psa_range_name = string
  })
  nullable = false
}

variable "admin" {
  description = "The built-in administrator (migrations, break-glass): user name, and password_version to bump when admin_password should be sent again."
  type = object({
    user             = optional(string, "pvadmin")
    password_version = optional(number, 1)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.admin.password_version >= 1 && floor(var.admin.password_version) == var.admin.password_version
    error_message = "admin.password_version must be a whole number of at least 1."
  }
}

variable "admin_password" {
  description = "Administrator password; write-only, never stored in plan or state."
  type        = string
  sensitive   = true
  ephemeral   = true
  nullable    = false
}

variable "iam_service_accounts" {
  description = "Service account emails that get a Cloud SQL IAM database user, keyed by a static label (e.g. { api = … })."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "disaster_recovery" {
  description = "Cross-region replica \"<name>-dr\" in region (private IP on the same network: its Private Service Access range serves every region of the VPC); promoted = true once the replica was promoted (`pvctl db failover`): it is then configured as a standalone primary (no master_instance_name, backups on) so the plan keeps it instead of replacing it. null = no replica."
  type = object({
    region   = string
    promoted = optional(bool, false)
  })
  default = null

  validation {
    condition     = var.disaster_recovery == null || try(can(regex("^[a-z]+-[a-z]+[0-9]$", var.disaster_recovery.region)) && var.disaster_recovery.region != var.region, false)
    error_message = "disaster_recovery.region must be a Google Cloud region other than region: a replica in the same region survives no regional outage."
  }
}

variable "deletion_protection" {
  description = "Both guards: Terraform refuses to destroy, and the Cloud SQL API refuses deletion."
  type        = bool
  default     = true
  nullable    = false
}

variable "deletion_protection_lifted" {
  description = "Addresses of replicas in this module whose two guards are lifted for one approved removal (pvctl's protected apply sets it; otherwise empty). The primary is never lifted this way."
  type        = set(string)
  default     = []
}
