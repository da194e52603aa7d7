variable "project_id" {
  description = "Project whose APIs are enabled."
  type        = string
  nullable    = false
}

variable "services" {
  description = "Service names to enable, e.g. run.googleapis.com."
  type        = list(string)
  nullable    = false

  validation {
    condition     = alltrue([for s in var.services : can(regex("^[a-z0-9.-]+\\.googleapis\\.com$", s))])
    error_message = "Each service must be an API host name ending in .googleapis.com."
  }
}
