variable "project_id" {
  description = "Project of the instance."
  type        = string
}

variable "region" {
  description = "Region of the instance and of its AUTH secret."
  type        = string
}

variable "name" {
  description = "Instance name (\"<prefix>-redis\"); the AUTH secret is \"<name>-auth\"."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,38}[a-z0-9]$", var.name))
    error_message = "name must be 2 to 40 lowercase letters, digits or hyphens, start with a letter and not end with a hyphen."
  }
}

variable "labels" {
  description = "Labels on the instance and the secret."
  type        = map(string)
  default     = {}
}

variable "settings" {
  description = "Tier, size and version (the phase's redis table). Changing tier replaces the instance."
  type = object({
    tier           = string
    memory_size_gb = number
    version        = string
  })

  validation {
    condition     = contains(["BASIC", "STANDARD_HA"], var.settings.tier)
    error_message = "settings.tier must be BASIC or STANDARD_HA."
  }

  validation {
    condition     = var.settings.memory_size_gb >= 1 && var.settings.memory_size_gb <= 300
    error_message = "settings.memory_size_gb must be from 1 to 300."
  }

  validation {
    condition     = can(regex("^REDIS_[0-9]+(_[0-9]+)?$", var.settings.version))
    error_message = "settings.version must look like REDIS_7_2."
  }
}

variable "network_id" {
  description = "VPC network id the instance is reachable from."
  type        = string
}

variable "psa_range_name" {
  description = "Private Service Access range name (network module output; also orders creation after the peering)."
  type        = string
}

variable "extra_configs" {
  description = "Additional Redis configuration parameters; maxmemory-policy defaults to allkeys-lru."
  type        = map(string)
  default     = {}
}

variable "maintenance_day" {
  description = "Day of the weekly maintenance window."
  type        = string
  default     = "SUNDAY"

  validation {
    condition     = contains(["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"], var.maintenance_day)
    error_message = "maintenance_day must be a weekday name in capitals, e.g. SUNDAY."
  }
}

variable "maintenance_hour" {
  description = "Start hour (UTC) of the weekly maintenance window."
  type        = number
  default     = 7

  validation {
    condition     = var.maintenance_hour >= 0 && var.maintenance_hour <= 23
    error_message = "maintenance_hour must be from 0 to 23."
  }
}

variable "deletion_protection" {
  description = "Refuse to delete the instance and its AUTH secret from Terraform."
  type        = bool
  default     = true
}

variable "deletion_protection_lifted" {
  description = "Addresses of resources in this module whose deletion protection is lifted for one approved replacement or removal (pvctl's protected apply sets it; otherwise empty)."
  type        = set(string)
  default     = []
}
