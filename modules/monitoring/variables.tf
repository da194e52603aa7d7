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

variable "region" {
  description = "Region of the Cloud Run services (the SLO services link to them)."
  type        = string
  nullable    = false
}

variable "slo_service_names" {
  description = "Public Cloud Run services that get an availability and a latency SLO with burn-rate alerts (a subset of service_names)."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for s in var.slo_service_names : can(regex("^[a-z][a-z0-9-]{0,48}[a-z0-9]$", s))])
    error_message = "slo_service_names must be Cloud Run service names (lowercase letters, digits and hyphens)."
  }
}

variable "thresholds" {
  description = "Objectives and alert thresholds (the phase's monitoring table, with the shared [slo] alert thresholds rendered in): the SLOs over slo_rolling_days are p95 latency at most latency_p95_threshold_ms (95 % of requests within it) and a share of 5xx below error_5xx_ratio_threshold (availability 1 - that share); burn-rate alerts fire when the error budget burns faster than burn_rate_fast over burn_rate_fast_window_seconds or burn_rate_slow over burn_rate_slow_window_seconds; threshold alerts fire at a 5xx share above error_5xx_ratio_max over error_window_seconds, p95 latency above latency_p95_ms_max over latency_window_seconds, and CPU or memory utilization (fractions) above their thresholds for utilization_window_seconds; uptime_check_path is the path the uptime check calls."
  type = object({
    latency_p95_threshold_ms      = optional(number, 500)
    error_5xx_ratio_threshold     = optional(number, 0.001)
    slo_rolling_days              = optional(number, 28)
    burn_rate_fast                = optional(number, 14.4)
    burn_rate_fast_window_seconds = optional(number, 3600)
    burn_rate_slow                = optional(number, 6)
    burn_rate_slow_window_seconds = optional(number, 21600)
    error_5xx_ratio_max           = optional(number, 0.005)
    error_window_seconds          = optional(number, 60)
    latency_p95_ms_max            = optional(number, 700)
    latency_window_seconds        = optional(number, 300)
    cpu_utilization_threshold     = optional(number, 0.85)
    memory_utilization_threshold  = optional(number, 0.85)
    utilization_window_seconds    = optional(number, 180)
    uptime_check_path             = optional(string, "/healthz")
  })
  default  = {}
  nullable = false

  # The availability SLO's goal is 1 - error_5xx_ratio_threshold, and the API accepts goals in
  # (0, 0.9999] (validateMonitoringSloGoal in google/services/monitoring/resource_monitoring_slo.go).
  validation {
    condition     = var.thresholds.error_5xx_ratio_threshold >= 0.0001 && var.thresholds.error_5xx_ratio_threshold < 1
    error_message = "thresholds.error_5xx_ratio_threshold is the SLO's share of 5xx responses: at least 0.0001 (an availability goal of at most 99.99 %), below 1."
  }

  validation {
    condition     = var.thresholds.slo_rolling_days >= 1 && var.thresholds.slo_rolling_days <= 30 && floor(var.thresholds.slo_rolling_days) == var.thresholds.slo_rolling_days
    error_message = "thresholds.slo_rolling_days must be a whole number of days from 1 to 30."
  }

  validation {
    condition     = var.thresholds.burn_rate_fast > var.thresholds.burn_rate_slow && var.thresholds.burn_rate_slow > 1
    error_message = "thresholds.burn_rate_fast must be above thresholds.burn_rate_slow, and both above 1 (a burn rate of 1 spends the budget exactly over the SLO period)."
  }

  validation {
    condition = alltrue([for s in [
      var.thresholds.burn_rate_fast_window_seconds, var.thresholds.burn_rate_slow_window_seconds,
      var.thresholds.error_window_seconds, var.thresholds.latency_window_seconds, var.thresholds.utilization_window_seconds,
    ] : s >= 60 && s % 60 == 0])
    error_message = "thresholds windows (*_window_seconds) are whole minutes of at least 60 seconds: Cloud Monitoring aligns data in periods of at least 60 s."
  }

  validation {
    condition     = var.thresholds.burn_rate_fast_window_seconds < var.thresholds.burn_rate_slow_window_seconds
    error_message = "thresholds.burn_rate_fast_window_seconds must be shorter than thresholds.burn_rate_slow_window_seconds."
  }

  validation {
    condition = alltrue([for f in [
      var.thresholds.cpu_utilization_threshold, var.thresholds.memory_utilization_threshold,
    ] : f > 0 && f <= 1])
    error_message = "thresholds.cpu_utilization_threshold and thresholds.memory_utilization_threshold are fractions: more than 0, at most 1."
  }

  validation {
    condition     = var.thresholds.latency_p95_threshold_ms > 0 && var.thresholds.latency_p95_ms_max > 0
    error_message = "thresholds.latency_p95_threshold_ms and thresholds.latency_p95_ms_max must be positive."
  }

  validation {
    condition     = var.thresholds.error_5xx_ratio_max > 0 && var.thresholds.error_5xx_ratio_max < 1
    error_message = "thresholds.error_5xx_ratio_max is a fraction between 0 and 1."
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
