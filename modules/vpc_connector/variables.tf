variable "project_id" {
  description = "Project of the connector and of its subnet."
  type        = string
  nullable    = false
}

variable "region" {
  description = "Region of the connector (same as the Cloud Run services)."
  type        = string
  nullable    = false
}

variable "name" {
  description = "Connector name; immutable, at most 25 characters."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z][-a-z0-9]{0,23}[a-z0-9]$", var.name))
    error_message = "name must be 2 to 25 lowercase letters, digits or hyphens, start with a letter and not end with a hyphen."
  }
}

variable "subnet_name" {
  description = "Name of an unused /28 subnet in the same region (see the network module)."
  type        = string
  nullable    = false
}

variable "settings" {
  description = "Connector sizing (the phase's connector table): machine_type (changing it recreates the connector), min_instances (2 to 9, always running and billed), max_instances (3 to 10, greater than min_instances)."
  type = object({
    machine_type  = optional(string, "e2-micro")
    min_instances = optional(number, 2)
    max_instances = optional(number, 3)
  })
  default  = {}
  nullable = false

  validation {
    condition     = contains(["f1-micro", "e2-micro", "e2-standard-4"], var.settings.machine_type)
    error_message = "settings.machine_type must be f1-micro, e2-micro or e2-standard-4."
  }

  validation {
    condition     = var.settings.min_instances >= 2 && var.settings.min_instances <= 9 && floor(var.settings.min_instances) == var.settings.min_instances
    error_message = "settings.min_instances must be a whole number from 2 to 9."
  }

  validation {
    condition     = var.settings.max_instances >= 3 && var.settings.max_instances <= 10 && floor(var.settings.max_instances) == var.settings.max_instances
    error_message = "settings.max_instances must be a whole number from 3 to 10."
  }

  validation {
    condition     = var.settings.max_instances > var.settings.min_instances
    error_message = "settings.max_instances must be greater than settings.min_instances."
  }
}
