variable "project_id" {
  description = "Project whose services are watched."
  type        = string
  nullable    = false
}

variable "name_prefix" {
  description = "Prefix of display names."
  type        = string
  nullable    = false
}

variable "alert_email" {
  description = "Address that receives alert and budget notifications."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.alert_email))
    error_message = "alert_email must be an e-mail address."
  }
}

variable "service_names" {
  description = "Cloud Run services the CPU, latency and 5xx policies cover."
  type        = list(string)
  nullable    = false

  validation {
    condition     = length(var.service_names) >= 1
    error_message = "service_names must list at least one service."
  }
}

variable "uptime_host" {
  description = "Public host name the uptime check calls over HTTPS."
  type        = string
  nullable    = false
}

variable "thresholds" {
  description = "Alert thresholds (the phase's monitoring table): CPU utilization and 5xx ratio as fractions, p95 latency in milliseconds, and the path the uptime check calls."
  type = object({
    cpu_utilization_threshold = optional(number, 0.7)
    latency_p95_threshold_ms  = optional(number, 500)
    error_5xx_ratio_threshold = optional(number, 0.01)
    uptime_check_path         = optional(string, "/healthz")
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.thresholds.cpu_utilization_threshold > 0 && var.thresholds.cpu_utilization_threshold <= 1
    error_message = "thresholds.cpu_utilization_threshold is a fraction: more than 0, at most 1."
  }

  validation {
    condition     = var.thresholds.latency_p95_threshold_ms > 0
    error_message = "thresholds.latency_p95_threshold_ms must be positive."
  }

  validation {
    condition     = var.thresholds.error_5xx_ratio_threshold > 0 && var.thresholds.error_5xx_ratio_threshold < 1
    error_message = "thresholds.error_5xx_ratio_threshold is a fraction between 0 and 1."
  }

  validation {
    condition     = startswith(var.thresholds.uptime_check_path, "/")
    error_message = "thresholds.uptime_check_path must start with /."
  }
}

variable "budget" {
  description = "Monthly budget on billing_account (XXXXXX-XXXXXX-XXXXXX) for this project: amount_usd in whole US dollars and the spend fractions that notify (the phase's budget table); null = no budget."
  type = object({
    billing_account  = string
    amount_usd       = number
    alert_thresholds = optional(list(number), [0.5, 0.8, 1.0])
  })
  default = null

  validation {
    condition     = var.budget == null || can(regex("^[0-9A-F]{6}-[0-9A-F]{6}-[0-9A-F]{6}$", var.budget.billing_account))
    error_message = "budget.billing_account must look like 012345-6789AB-CDEF01."
  }

  validation {
    condition     = var.budget == null || try(var.budget.amount_usd > 0 && floor(var.budget.amount_usd) == var.budget.amount_usd, false)
    error_message = "budget.amount_usd must be a positive whole number of dollars (the budget's units field is an integer)."
  }

  validation {
    condition     = var.budget == null || try(alltrue([for t in var.budget.alert_thresholds : t > 0 && t <= 2]), false)
    error_message = "budget.alert_thresholds are fractions of the budget, each more than 0 and at most 2."
  }
}
