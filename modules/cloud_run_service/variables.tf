variable "project_id" {
  description = "Project of the service and its service account."
  type        = string
}

variable "region" {
  description = "Region of the service."
  type        = string
}

variable "name" {
  description = "Cloud Run service name."
  type        = string

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

variable "service_account_id" {
  description = "account_id of the dedicated runtime service account (6 to 30 characters)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.service_account_id))
    error_message = "service_account_id must be 6 to 30 lowercase letters, digits or hyphens, start with a letter and not end with a hyphen."
  }
}

variable "project_roles" {
  description = "Project-level roles for the runtime service account (keep to the minimum, e.g. log and metric writers)."
  type        = list(string)
  default     = ["roles/logging.logWriter", "roles/monitoring.metricWriter", "roles/cloudtrace.agent"]
}

variable "labels" {
  description = "Labels on the service and its revisions."
  type        = map(string)
  default     = {}
}

variable "image" {
  description = "Container image (Artifact Registry URL, ideally pinned by digest)."
  type        = string

  validation {
    condition     = length(trimspace(var.image)) > 0
    error_message = "image must not be empty."
  }
}

variable "images_managed_by_ci" {
  description = "True: the first apply deploys var.image and later image changes made by CI are ignored. False: Terraform rolls out var.image."
  type        = bool
  default     = false
}

variable "cpu" {
  description = "CPU limit per instance, e.g. \"1\" or \"2\"."
  type        = string
  default     = "1"

  validation {
    condition     = contains(["1", "2", "4", "6", "8"], var.cpu) || can(regex("^[0-9]+m$", var.cpu))
    error_message = "cpu must be 1, 2, 4, 6, 8 or a millicpu value such as 500m."
  }
}

variable "memory" {
  description = "Memory limit per instance, e.g. \"512Mi\" or \"2Gi\"."
  type        = string
  default     = "512Mi"

  validation {
    condition     = can(regex("^[0-9]+(Mi|Gi)$", var.memory))
    error_message = "memory must look like 512Mi or 2Gi."
  }
}

variable "cpu_always_allocated" {
  description = "Keep CPU allocated outside requests (instance-based billing). False bills per request."
  type        = bool
  default     = false
}

variable "min_instances" {
  description = "Minimum instances kept warm (billed while idle)."
  type        = number
  default     = 0

  validation {
    condition     = var.min_instances >= 0 && var.min_instances <= 100 && floor(var.min_instances) == var.min_instances
    error_message = "min_instances must be a whole number from 0 to 100."
  }
}

variable "max_instances" {
  description = "Maximum instances; caps cost and the database connections the service can open."
  type        = number
  default     = 3

  validation {
    condition     = var.max_instances >= 1 && var.max_instances <= 1000 && floor(var.max_instances) == var.max_instances
    error_message = "max_instances must be a whole number from 1 to 1000."
  }

  validation {
    condition     = var.max_instances >= var.min_instances
    error_message = "max_instances must be at least min_instances."
  }
}

variable "concurrency" {
  description = "Maximum concurrent requests per instance."
  type        = number
  default     = 80

  validation {
    condition     = var.concurrency >= 1 && var.concurrency <= 1000
    error_message = "concurrency must be from 1 to 1000."
  }
}

variable "timeout_seconds" {
  description = "Request timeout in seconds; WebSocket connections live at most this long."
  type        = number
  default     = 300

  validation {
    condition     = var.timeout_seconds >= 1 && var.timeout_seconds <= 3600
    error_message = "timeout_seconds must be from 1 to 3600."
  }
}

variable "container_port" {
  description = "Port the container listens on."
  type        = number
  default     = 8080
}

variable "health_path" {
  description = "HTTP path for the startup and liveness probes."
  type        = string
  default     = "/healthz"

  validation {
    condition     = startswith(var.health_path, "/")
    error_message = "health_path must start with /."
  }
}

variable "startup_failure_threshold" {
  description = "Failed startup probes (5 s apart) before the instance is replaced."
  type        = number
  default     = 24
}

variable "ingress" {
  description = "Who may reach the service at the network level."
  type        = string

  validation {
    condition     = contains(["INGRESS_TRAFFIC_ALL", "INGRESS_TRAFFIC_INTERNAL_ONLY", "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER"], var.ingress)
    error_message = "ingress must be INGRESS_TRAFFIC_ALL, INGRESS_TRAFFIC_INTERNAL_ONLY or INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER."
  }
}

variable "invoker_iam_disabled" {
  description = "True skips the run.invoker check (anonymous callers allowed); use only behind the load balancer."
  type        = bool
  default     = false
}

variable "default_uri_disabled" {
  description = "Disable the run.app URL so the load balancer (Cloud Armor, CDN) is the only entry."
  type        = bool
  default     = false
}

variable "invokers" {
  description = "IAM members granted roles/run.invoker, keyed by a static label (e.g. { bff = \"serviceAccount:…\" })."
  type        = map(string)
  default     = {}
}

variable "env" {
  description = "Plain environment variables (never secrets)."
  type        = map(string)
  default     = {}
}

variable "secret_env" {
  description = "Environment variables read from Secret Manager: name → secret id; the service account gets accessor on exactly these secrets."
  type        = map(string)
  default     = {}
}

variable "vpc_egress_mode" {
  description = "How the service reaches the VPC: \"connector\" (Serverless VPC Access) or \"direct\" (Direct VPC egress)."
  type        = string
  default     = "connector"

  validation {
    condition     = contains(["connector", "direct"], var.vpc_egress_mode)
    error_message = "vpc_egress_mode must be connector or direct."
  }
}

variable "vpc_egress" {
  description = "Which traffic goes through the VPC: PRIVATE_RANGES_ONLY or ALL_TRAFFIC (needed to call internal-only services)."
  type        = string
  default     = "PRIVATE_RANGES_ONLY"

  validation {
    condition     = contains(["PRIVATE_RANGES_ONLY", "ALL_TRAFFIC"], var.vpc_egress)
    error_message = "vpc_egress must be PRIVATE_RANGES_ONLY or ALL_TRAFFIC."
  }
}

variable "connector_id" {
  description = "VPC Access connector id (vpc_egress_mode = \"connector\")."
  type        = string
  default     = null

  validation {
    condition     = var.vpc_egress_mode != "connector" || var.connector_id != null
    error_message = "connector_id is required when vpc_egress_mode is \"connector\"."
  }
}

variable "network_id" {
  description = "VPC network id (vpc_egress_mode = \"direct\")."
  type        = string
  default     = null
}

variable "subnet_id" {
  description = "Subnet id (vpc_egress_mode = \"direct\")."
  type        = string
  default     = null

  validation {
    condition     = var.vpc_egress_mode != "direct" || (var.subnet_id != null && var.network_id != null)
    error_message = "network_id and subnet_id are required when vpc_egress_mode is \"direct\"."
  }
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
