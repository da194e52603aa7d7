variable "project_id" {
  description = "Project of the service."
  type        = string
}

variable "region" {
  description = "Region of the service."
  type        = string
}

variable "name_prefix" {
  description = "Prefix of the service (\"<prefix>-bff\") and account (\"<prefix>-bff-run\") names."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,15}$", var.name_prefix))
    error_message = "name_prefix must start with a letter and use at most 16 lowercase letters, digits or hyphens."
  }
}

variable "labels" {
  description = "Labels on the service."
  type        = map(string)
  default     = {}
}

variable "image" {
  description = "Next.js BFF container image."
  type        = string
}

variable "images_managed_by_ci" {
  description = "Let CI own the image after the first deployment (see modules/cloud_run_service)."
  type        = bool
  default     = false
}

variable "settings" {
  description = "Size and scaling of the BFF (the phase's bff table)."
  type = object({
    cpu             = string
    memory          = string
    min_instances   = number
    max_instances   = number
    concurrency     = number
    timeout_seconds = number
  })
}

variable "container_port" {
  description = "Port the Next.js server listens on."
  type        = number
  default     = 8080
}

variable "health_path" {
  description = "HTTP path for the startup and liveness probes."
  type        = string
  default     = "/api/healthz"
}

variable "api_url" {
  description = "run.app URL of the private API (also the ID-token audience)."
  type        = string
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
  description = "\"connector\" (Serverless VPC Access) or \"direct\" (Direct VPC egress); both send all egress through the VPC."
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
  description = "Subnet id with Private Google Access (direct mode)."
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
