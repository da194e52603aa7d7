variable "project_id" {
  description = "Project of the load balancer."
  type        = string
  nullable    = false
}

variable "region" {
  description = "Region of the Cloud Run services behind the serverless NEGs."
  type        = string
  nullable    = false
}

variable "name_prefix" {
  description = "Prefix of every resource name."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,15}$", var.name_prefix))
    error_message = "name_prefix must start with a letter and use at most 16 lowercase letters, digits or hyphens."
  }
}

variable "labels" {
  description = "Labels on the forwarding rules."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "domains" {
  description = "Domains served (and put on the Google-managed certificate); their DNS A records must point at the output ip_address."
  type        = list(string)
  nullable    = false

  validation {
    condition     = length(var.domains) >= 1 && length(var.domains) <= 100
    error_message = "domains must list 1 to 100 domain names."
  }

  validation {
    condition     = alltrue([for d in var.domains : can(regex("^([a-z0-9]([a-z0-9-]*[a-z0-9])?\\.)+[a-z]{2,}$", d))])
    error_message = "Each domain must be a lowercase fully qualified name such as app.example.com (no scheme, no wildcard)."
  }
}

variable "routing" {
  description = "Cloud Run services behind the load balancer: backends keyed by a short static name used in resource names (cdn turns on Cloud CDN for that backend), the default_backend that receives every path no rule matches, and path_rules routing path prefixes (each matches itself and everything below it) to another backend."
  type = object({
    backends = map(object({
      service_name = string
      cdn          = optional(bool, false)
    }))
    default_backend = string
    path_rules = optional(list(object({
      backend       = string
      path_prefixes = list(string)
    })), [])
  })
  nullable = false

  validation {
    condition     = length(var.routing.backends) >= 1
    error_message = "routing.backends must name at least one Cloud Run service."
  }

  validation {
    condition     = alltrue([for k in keys(var.routing.backends) : can(regex("^[a-z][a-z0-9-]{0,19}$", k))])
    error_message = "routing.backends keys must be short lowercase names (at most 20 characters)."
  }

  validation {
    condition     = contains(keys(var.routing.backends), var.routing.default_backend)
    error_message = "routing.default_backend must be one of the keys of routing.backends."
  }

  validation {
    condition     = alltrue([for r in var.routing.path_rules : contains(keys(var.routing.backends), r.backend)])
    error_message = "Each routing.path_rules backend must be one of the keys of routing.backends."
  }

  validation {
    condition     = alltrue(flatten([for r in var.routing.path_rules : [for p in r.path_prefixes : startswith(p, "/") && length(p) > 1]]))
    error_message = "Path prefixes must start with / and not be / alone."
  }
}

variable "security" {
  description = "Protection and logging (the phase's edge table gives armor and rate_limit_per_minute): armor attaches a Cloud Armor policy (OWASP CRS rules, per-IP rate-based ban, adaptive protection); rate_limit_per_minute requests per client IP before a ban of rate_limit_ban_seconds; waf_sensitivity (OWASP CRS paranoia level, 1 = fewest false positives); waf_preview only logs WAF matches (for tuning); ssl_profile MODERN or RESTRICTED (both TLS 1.2+); security_headers added to every response (\"Name: value\"); log_sample_rate, the share of requests logged."
  type = object({
    armor                  = optional(bool, true)
    rate_limit_per_minute  = optional(number, 600)
    rate_limit_ban_seconds = optional(number, 600)
    waf_sensitivity        = optional(number, 1)
    waf_preview            = optional(bool, false)
    ssl_profile            = optional(string, "MODERN")
    security_headers = optional(list(string), [
      "Strict-Transport-Security: max-age=31536000; includeSubDomains",
      "X-Content-Type-Options: nosniff",
      "X-Frame-Options: DENY",
      "Referrer-Policy: strict-origin-when-cross-origin",
    ])
    log_sample_rate = optional(number, 1)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.security.rate_limit_per_minute >= 1 && var.security.rate_limit_per_minute <= 1000000
    error_message = "security.rate_limit_per_minute must be from 1 to 1000000."
  }

  validation {
    condition     = var.security.rate_limit_ban_seconds >= 1 && var.security.rate_limit_ban_seconds <= 86400
    error_message = "security.rate_limit_ban_seconds must be from 1 to 86400."
  }

  validation {
    condition     = contains([1, 2, 3, 4], var.security.waf_sensitivity)
    error_message = "security.waf_sensitivity must be 1, 2, 3 or 4."
  }

  validation {
    condition     = contains(["MODERN", "RESTRICTED"], var.security.ssl_profile)
    error_message = "security.ssl_profile must be MODERN or RESTRICTED."
  }

  validation {
    condition     = alltrue([for h in var.security.security_headers : can(regex("^[A-Za-z0-9-]+: .+$", h))])
    error_message = "Each of security.security_headers must look like \"Name: value\"."
  }

  validation {
    condition     = var.security.log_sample_rate >= 0 && var.security.log_sample_rate <= 1
    error_message = "security.log_sample_rate must be from 0 to 1."
  }
}
