variable "project_id" {
  description = "Project of the service."
  type        = string
}

variable "region" {
  description = "Region of the service."
  type        = string
}

variable "name_prefix" {
  description = "Prefix of the service (\"<prefix>-<role>\") and account (\"<prefix>-<role>-run\") names."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,15}$", var.name_prefix))
    error_message = "name_prefix must start with a letter and use at most 16 lowercase letters, digits or hyphens."
  }
}

variable "role" {
  description = "What this FastAPI deployment does: \"api\" (the core API, or the whole site before scale) or \"webhooks\" (public receiver for WhatsApp/CRM callbacks)."
  type        = string
  default     = "api"

  validation {
    condition     = contains(["api", "webhooks"], var.role)
    error_message = "role must be api or webhooks."
  }
}

variable "labels" {
  description = "Labels on the service."
  type        = map(string)
  default     = {}
}

variable "image" {
  description = "FastAPI container image."
  type        = string
}

variable "images_managed_by_ci" {
  description = "Let CI own the image after the first deployment (see modules/cloud_run_service)."
  type        = bool
  default     = false
}

variable "settings" {
  description = "Size and scaling of the service (the phase's api or webhooks table)."
  type = object({
    cpu             = string
    memory          = string
    min_instances   = number
    max_instances   = number
    concurrency     = number
    timeout_seconds = number
  })
}

variable "public" {
  description = "True: anonymous users reach the service, only through the load balancer. False: internal-only, callable by var.invokers."
  type        = bool
}

variable "invokers" {
  description = "Members allowed to call a private service (roles/run.invoker), keyed by a static label. Ignored when public."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for m in values(var.invokers) : m != "allUsers" && m != "allAuthenticatedUsers"])
    error_message = "invokers must name identities; a public service uses public = true instead of allUsers."
  }
}

variable "database" {
  description = "Cloud SQL connection details (private IP, IAM authentication); null when the service needs no database."
  type = object({
    host = string
    name = string
  })
  default = null
}

variable "redis" {
  description = "Memorystore connection details; the AUTH string is read from the secret auth_secret_id. Null when there is no cache."
  type = object({
    host           = string
    port           = number
    ca_cert        = string
    auth_secret_id = string
  })
  default = null
}

variable "env" {
  description = "Extra plain environment variables (never secrets)."
  type        = map(string)
  default     = {}
}

variable "secret_env" {
  description = "Environment variables from Secret Manager: name → secret id."
  type        = map(string)
  default     = {}
}

variable "vpc_egress_mode" {
  description = "\"connector\" (Serverless VPC Access) or \"direct\" (Direct VPC egress)."
  type        = string
  default     = "connector"
}

variable "connector_id" {
  description = "VPC Access connector id (connector mode)."
  type        = string
  default     = null
}

variable "network_id" {
  description = "VPC network id (direct mode)."
  type        = string
  default     = null
}

variable "subnet_id" {
  description = "Subnet id (direct mode)."
  type        = string
  default     = null
}

variable "deletion_protection" {
  description = "Refuse to delete the service from Terraform."
  type        = bool
  default     = true
}

variable "deletion_protection_lifted" {
  description = "Addresses of resources in this module whose deletion protection is lifted for one approved replacement or removal (pvctl's protected apply sets it; otherwise empty)."
  type        = set(string)
  default     = []
}
