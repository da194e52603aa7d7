variable "project_id" {
  description = "Project of the instance."
  type        = string
  nullable    = false
}

variable "region" {
  description = "Region of the instance and of its AUTH secret."
  type        = string
  nullable    = false
}

variable "name" {
  description = "Instance name (\"<prefix>-redis\"); the AUTH secret is \"<name>-auth\"."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,38}[a-z0-9]$", var.name))
    error_message = "name must be 2 to 40 lowercase letters, digits or hyphens, start with a letter and not end with a hyphen."
  }
}

variable "labels" {
  description = "Labels on the instance and the secret."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "settings" {
  description = "Tier, size and version (the phase's redis table; changing tier replaces the instance), extra_configs (Redis parameters added to maxmemory-policy = allkeys-lru, which they may override) and the weekly maintenance window (maintenance_day in capitals, maintenance_hour 0-23 UTC)."
  type = object({
    tier             = optional(string, "BASIC")
    memory_size_gb   = optional(number, 1)
    version          = optional(string, "REDIS_7_2")
    extra_configs    = optional(map(string), {})
    maintenance_day  = optional(string, "SUNDAY")
    maintenance_hour = optional(number, 7)
  })
  default  = {}
  nullable = false

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

  validation {
    condition     = contains(["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"], var.settings.maintenance_day)
    error_message = "settings.maintenance_day must be a weekday name in capitals, e.g. SUNDAY."
  }

  validation {
    condition     = var.settings.maintenance_hour >= 0 && var.settings.maintenance_hour <= 23
    error_message = "settings.maintenance_hour must be from 0 to 23."
  }
}

variable "network" {
  description = "Private networking: id of the VPC network the instance is reachable from, and psa_range_name, the Private Service Access range (the network module's output; also orders creation after the peering)."
  type = object({
    id             = string
    psa_range_name = string
  })
  nullable = false
}

variable "deletion_protection" {
  description = "Refuse to delete the instance and its AUTH secret from Terraform."
  type        = bool
  default     = true
  nullable    = false
}

variable "deletion_protection_lifted" {
  description = "Addresses of resources in this module whose deletion protection is lifted for one approved replacement or removal (pvctl's protected apply sets it; otherwise empty)."
  type        = set(string)
  default     = []
}
