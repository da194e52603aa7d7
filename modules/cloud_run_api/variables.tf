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
  description = "Prefix of the service (\"<prefix>-<role>\") and account (\"<prefix>-<role>-run\") names."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,15}$", var.name_prefix))
    error_message = "name_prefix must start with a letter and use at most 16 lowercase letters, digits or hyphens."
  }
}

variable "role" {
  description = "What this FastAPI deployment does: \"api\" (the core API, or the whole site before scale) or \"webhooks\" (public receiver for WhatsApp/CRM callbacks)."
  type        = string
  default     = "api"
  nullable    = false

  validation {
    condition     = contains(["api", "webhooks"], var.role)
    error_message = "role must be api or webhooks."
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
  description = "FastAPI image; image_managed_by_ci lets CI own the image after the first deployment (see modules/cloud_run_service); extra plain env (never secrets) and secret_env (name -> Secret Manager secret id)."
  type = object({
    image               = string
    image_managed_by_ci = optional(bool, false)
    env                 = optional(map(string), {})
    secret_env          = optional(map(string), {})
  })
  nullable = false
}

variable "settings" {
  description = "Size, scaling and exposure (the phase's api or webhooks table). public = true: anonymous users reach the service, only through the load balancer; false: internal-only, callable by invokers."
  type = object({
    cpu             = optional(string, "1")
    memory          = optional(string, "512Mi")
    min_instances   = optional(number, 0)
    max_instances   = optional(number, 3)
    concurrency     = optional(number, 80)
    timeout_seconds = optional(number, 300)
    public          = optional(bool, false)
  })
  default  = {}
  nullable = false
}

variable "invokers" {
  description = "Members allowed to call a private service (roles/run.invoker), keyed by a static label. Ignored when settings.public."
  type        = map(string)
  default     = {}
  nullable    = false

  validation {
    condition     = alltrue([for m in values(var.invokers) : m != "allUsers" && m != "allAuthenticatedUsers"])
    error_message = "invokers must name identities; a public service uses settings.public = true instead of allUsers."
  }
}

variable "connections" {
  description = "Data stores the service uses: database (Cloud SQL private IP and database name, IAM authentication) and redis (Memorystore endpoint; the AUTH string is read from the secret auth_secret_id). Leave one out when the service does not use it."
  type = object({
    database = optional(object({
      host = string
      name = string
    }))
    redis = optional(object({
      host           = string
      port           = number
      ca_cert        = string
      auth_secret_id = string
    }))
  })
  default  = {}
  nullable = false
}

variable "vpc_access" {
  description = "How the service reaches the VPC (see modules/cloud_run_service): mode \"connector\" with connector_id, or \"direct\" with network_id and subnet_id; only traffic to private ranges goes through the VPC."
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
