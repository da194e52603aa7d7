variable "project_id" {
  description = "Project whose services are watched."
  type        = string
}

variable "name_prefix" {
  description = "Prefix of display names."
  type        = string
}

variable "alert_email" {
  description = "Address that receives alert and budget notifications."
  type        = string

  validation {
    condition     = can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.alert_email))
    error_message = "alert_email must be an e-mail address."
  }
}

variable "service_names" {
  description = "Cloud Run services the CPU, latency and 5xx policies cover."
  type        = list(string)

  validation {
    condition     = length(var.service_names) >= 1
    error_message = "service_names must list at least one service."
  }
}

variable "uptime_host" {
  description = "Public host name the uptime check calls over HTTPS."
  type        = string
}

variable "thresholds" {
  description = "Alert thresholds (the phase's monitoring table)."
  type = object({
    cpu_utilization_threshold = number
    latency_p95_threshold_ms  = number
    error_5xx_ratio_threshold = number
    uptime_check_path         = string
  })

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

variable "billing_account" {
  description = "Billing account id (XXXXXX-XXXXXX-XXXXXX) for the budget; empty string = no budget."
  type        = string
  default     = ""

  validation {
    condition     = var.billing_account == "" || can(regex("^[0-9A-F]{6}-[0-9A-F]{6}-[0-9A-F]{6}$", var.billing_account))
    error_message = "billing_account must be empty or look like 012345-6789AB-CDEF01."
  }
}

variable "budget" {
  description = "Monthly budget in US dollars and the spend fractions that notify (the phase's budget table); null = no budget."
  type = object({
    amount_usd       = number
    alert_thresholds = list(number)
  })
  default = null

  validation {
    condition     = var.budget == null || try(var.budget.amount_usd > 0 && floor(var.budget.amount_usd) == var.budget.amount_usd, false)
    error_message = "budget.amount_usd must be a positive whole number of dollars (the budget's units field is an integer)."
  }

  validation {
    condition     = var.budget == null || try(alltrue([for t in var.budget.alert_thresholds : t > 0 && t <= 2]), false)
    error_message = "budget.alert_thresholds are fractions of the budget, each more than 0 and at most 2."
  }
}
