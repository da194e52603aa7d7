variable "project_id" {
  description = "Project of the service."
  type        = string
  nullable    = false
}

variable "region" {
  description = "Region of the service."
  type        = string
  nullable    = false
}

variable "name_prefix" {
  description = "Prefix of the service (\"<prefix>-bff\") and account (\"<prefix>-bff-run\") names."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,15}$", var.name_prefix))
    error_message = "name_prefix must start with a letter and use at most 16 lowercase letters, digits or hyphens."
  }
}

variable "labels" {
  description = "Labels on the service."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "deletion_protection" {
  description = "Refuse to delete the service from Terraform."
  type        = bool
  default     = true
  nullable    = false
}

variable "container" {
  description = "Next.js image; image_managed_by_ci lets CI own the image after the first deployment (see modules/cloud_run_service); port and health_path of the Next.js server; extra plain env (never secrets) and secret_env (name -> Secret Manager secret id)."
  type = object({
    image               = string
    image_managed_by_ci = optional(bool, false)
    port                = optional(number, 8080)
    health_path         = optional(string, "/api/healthz")
    env                 = optional(map(string), {})
    secret_env          = optional(map(string), {})
  })
  nullable = false
}

variable "settings" {
  description = "Size and scaling of the BFF (the phase's bff table)."
  type = object({
    cpu             = optional(string, "1")
    memory          = optional(string, "512Mi")
    min_instances   = optional(number, 0)
    max_instances   = optional(number, 3)
    concurrency     = optional(number, 80)
    timeout_seconds = optional(number, 300)
  })
  default  = {}
  nullable = false
}

variable "api_url" {
  description = "run.app URL of the private API (also the ID-token audience)."
  type        = string
  nullable    = false
}

variable "vpc_access" {
  description = "How the BFF reaches the VPC (see modules/cloud_run_service): mode \"connector\" with connector_id, or \"direct\" with network_id and subnet_id (a subnet with Private Google Access). All of its egress goes through the VPC."
  type = object({
    mode         = optional(string, "connector")
    connector_id = optional(string)
    network_id   = optional(string)
    subnet_id    = optional(string)
  })
  nullable = false
}

variable "deletion_protection_lifted" {
  description = "Addresses of resources in this module whose deletion protection is lifted for one approved replacement or removal (pvctl's protected apply sets it; otherwise empty)."
  type        = set(string)
  default     = []
}
