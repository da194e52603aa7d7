variable "project_id" {
  description = "Project of the service and its service account."
  type        = string
  nullable    = false
}

variable "region" {
  description = "Region of the service."
  type        = string
  nullable    = false
}

variable "name" {
  description = "Cloud Run service name."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,47}[a-z0-9]$", var.name))
    error_message = "name must be 2 to 49 lowercase letters, digits or hyphens, start with a letter and not end with a hyphen."
  }
}

variable "description" {
  description = "Human-readable description of the service."
  type        = string
  default     = null
}

variable "labels" {
  description = "Labels on the service and its revisions."
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

variable "service_account" {
  description = "The dedicated runtime service account: account_id (6 to 30 characters) and its project-level roles (keep to the minimum)."
  type = object({
    account_id    = string
    project_roles = optional(list(string), ["roles/logging.logWriter", "roles/monitoring.metricWriter", "roles/cloudtrace.agent"])
  })
  nullable = false

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.service_account.account_id))
    error_message = "service_account.account_id must be 6 to 30 lowercase letters, digits or hyphens, start with a letter and not end with a hyphen."
  }
}

variable "container" {
  description = "The container: image (Artifact Registry URL, ideally pinned by digest); image_managed_by_ci (true: the first apply deploys image, later image changes made by CI are ignored); port; health_path of the startup and liveness probes; startup_failure_threshold (probes 5 s apart before the instance is replaced); env (plain values, never secrets); secret_env (name -> Secret Manager secret id; the service account gets accessor on exactly these secrets)."
  type = object({
    image                     = string
    image_managed_by_ci       = optional(bool, false)
    port                      = optional(number, 8080)
    health_path               = optional(string, "/healthz")
    startup_failure_threshold = optional(number, 24)
    env                       = optional(map(string), {})
    secret_env                = optional(map(string), {})
  })
  nullable = false

  validation {
    condition     = length(trimspace(var.container.image)) > 0
    error_message = "container.image must not be empty."
  }

  validation {
    condition     = startswith(var.container.health_path, "/")
    error_message = "container.health_path must start with /."
  }
}

variable "scaling" {
  description = "Size and scaling per revision: cpu and memory limits per instance; cpu_always_allocated (instance-based billing; false bills per request); min_instances kept warm (billed while idle); max_instances (caps cost and database connections); concurrency (requests per instance); timeout_seconds (request timeout; WebSocket connections live at most this long)."
  type = object({
    cpu                  = optional(string, "1")
    memory               = optional(string, "512Mi")
    cpu_always_allocated = optional(bool, false)
    min_instances        = optional(number, 0)
    max_instances        = optional(number, 3)
    concurrency          = optional(number, 80)
    timeout_seconds      = optional(number, 300)
  })
  default  = {}
  nullable = false

  validation {
    condition     = contains(["1", "2", "4", "6", "8"], var.scaling.cpu) || can(regex("^[0-9]+m$", var.scaling.cpu))
    error_message = "scaling.cpu must be 1, 2, 4, 6, 8 or a millicpu value such as 500m."
  }

  validation {
    condition     = can(regex("^[0-9]+(Mi|Gi)$", var.scaling.memory))
    error_message = "scaling.memory must look like 512Mi or 2Gi."
  }

  validation {
    condition     = var.scaling.min_instances >= 0 && var.scaling.min_instances <= 100 && floor(var.scaling.min_instances) == var.scaling.min_instances
    error_message = "scaling.min_instances must be a whole number from 0 to 100."
  }

  validation {
    condition     = var.scaling.max_instances >= 1 && var.scaling.max_instances <= 1000 && floor(var.scaling.max_instances) == var.scaling.max_instances
    error_message = "scaling.max_instances must be a whole number from 1 to 1000."
  }

  validation {
    condition     = var.scaling.max_instances >= var.scaling.min_instances
    error_message = "scaling.max_instances must be at least scaling.min_instances."
  }

  validation {
    condition     = var.scaling.concurrency >= 1 && var.scaling.concurrency <= 1000
    error_message = "scaling.concurrency must be from 1 to 1000."
  }

  validation {
    condition     = var.scaling.timeout_seconds >= 1 && var.scaling.timeout_seconds <= 3600
    error_message = "scaling.timeout_seconds must be from 1 to 3600."
  }
}

variable "access" {
  description = "Who may reach the service: ingress (network level); invoker_iam_disabled (true skips the run.invoker check: anonymous callers, only behind the load balancer); default_uri_disabled (turn off the run.app URL so the load balancer is the only entry); invokers (members granted roles/run.invoker, keyed by a static label)."
  type = object({
    ingress              = string
    invoker_iam_disabled = optional(bool, false)
    default_uri_disabled = optional(bool, false)
    invokers             = optional(map(string), {})
  })
  nullable = false

  validation {
    condition     = contains(["INGRESS_TRAFFIC_ALL", "INGRESS_TRAFFIC_INTERNAL_ONLY", "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER"], var.access.ingress)
    error_message = "access.ingress must be INGRESS_TRAFFIC_ALL, INGRESS_TRAFFIC_INTERNAL_ONLY or INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER."
  }
}

variable "vpc_access" {
  description = "How the service reaches the VPC: mode \"connector\" (Serverless VPC Access, connector_id) or \"direct\" (Direct VPC egress into subnet_id of network_id); egress picks the traffic sent through it, PRIVATE_RANGES_ONLY or ALL_TRAFFIC (needed to call internal-only services)."
  type = object({
    mode         = optional(string, "connector")
    connector_id = optional(string)
    network_id   = optional(string)
    subnet_id    = optional(string)
    egress       = optional(string, "PRIVATE_RANGES_ONLY")
  })
  nullable = false

  validation {
    condition     = contains(["connector", "direct"], var.vpc_access.mode)
    error_message = "vpc_access.mode must be connector or direct."
  }

  validation {
    condition     = contains(["PRIVATE_RANGES_ONLY", "ALL_TRAFFIC"], var.vpc_access.egress)
    error_message = "vpc_access.egress must be PRIVATE_RANGES_ONLY or ALL_TRAFFIC."
  }

  validation {
    condition     = var.vpc_access.mode != "connector" || var.vpc_access.connector_id != null
    error_message = "vpc_access.connector_id is required when vpc_access.mode is \"connector\"."
  }

  validation {
    condition     = var.vpc_access.mode != "direct" || (var.vpc_access.subnet_id != null && var.vpc_access.network_id != null)
    error_message = "vpc_access.network_id and vpc_access.subnet_id are required when vpc_access.mode is \"direct\"."
  }
}

variable "deletion_protection_lifted" {
  description = "Addresses of resources in this module whose deletion protection is lifted for one approved replacement or removal (pvctl's protected apply sets it; otherwise empty)."
  type        = set(string)
  default     = []
}
