variable "project_id" {
  description = "Project of the secrets."
  type        = string
  nullable    = false
}

variable "region" {
  description = "The only location secret payloads are stored in."
  type        = string
  nullable    = false
}

variable "name_prefix" {
  description = "Prefix of every secret id (\"<prefix>-<name>\")."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,15}$", var.name_prefix))
    error_message = "name_prefix must start with a letter and use at most 16 lowercase letters, digits or hyphens."
  }
}

variable "names" {
  description = "Secret names without the prefix (the phase's secrets.names)."
  type        = list(string)
  nullable    = false

  validation {
    condition     = alltrue([for n in var.names : can(regex("^[a-z][a-z0-9-]{0,62}$", n))])
    error_message = "Secret names must be lowercase letters, digits or hyphens and start with a letter."
  }

  validation {
    condition     = length(distinct(var.names)) == length(var.names)
    error_message = "Secret names must be unique."
  }
}

variable "labels" {
  description = "Labels on the secrets."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "deletion_protection" {
  description = "Refuse to delete the secrets from Terraform."
  type        = bool
  default     = true
  nullable    = false
}

variable "deletion_protection_lifted" {
  description = "Addresses of resources in this module whose deletion protection is lifted for one approved replacement or removal (pvctl's protected apply sets it; otherwise empty)."
  type        = set(string)
  default     = []
}
