variable "project_id" {
  description = "Project of the connector and of its subnet."
  type        = string
}

variable "region" {
  description = "Region of the connector (same as the Cloud Run services)."
  type        = string
}

variable "name" {
  description = "Connector name; immutable, at most 25 characters."
  type        = string

  validation {
    condition     = can(regex("^[a-z][-a-z0-9]{0,23}[a-z0-9]$", var.name))
    error_message = "name must be 2 to 25 lowercase letters, digits or hyphens, start with a letter and not end with a hyphen."
  }
}

variable "subnet_name" {
  description = "Name of an unused /28 subnet in the same region (see the network module)."
  type        = string
}

variable "machine_type" {
  description = "Machine type of the connector instances. Changing it recreates the connector."
  type        = string
  default     = "e2-micro"

  validation {
    condition     = contains(["f1-micro", "e2-micro", "e2-standard-4"], var.machine_type)
    error_message = "machine_type must be f1-micro, e2-micro or e2-standard-4."
  }
}

variable "min_instances" {
  description = "Minimum connector instances (2 to 9); always running, always billed."
  type        = number
  default     = 2

  validation {
    condition     = var.min_instances >= 2 && var.min_instances <= 9 && floor(var.min_instances) == var.min_instances
    error_message = "min_instances must be a whole number from 2 to 9."
  }
}

variable "max_instances" {
  description = "Maximum connector instances (3 to 10), greater than min_instances."
  type        = number
  default     = 3

  validation {
    condition     = var.max_instances >= 3 && var.max_instances <= 10 && floor(var.max_instances) == var.max_instances
    error_message = "max_instances must be a whole number from 3 to 10."
  }

  validation {
    condition     = var.max_instances > var.min_instances
    error_message = "max_instances must be greater than min_instances."
  }
}
