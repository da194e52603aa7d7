variable "project_id" {
  description = "Project of the load balancer."
  type        = string
}

variable "region" {
  description = "Region of the Cloud Run services behind the serverless NEGs."
  type        = string
}

variable "name_prefix" {
  description = "Prefix of every resource name."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,15}$", var.name_prefix))
    error_message = "name_prefix must start with a letter and use at most 16 lowercase letters, digits or hyphens."
  }
}

variable "labels" {
  description = "Labels on the forwarding rules."
  type        = map(string)
  default     = {}
}

variable "domains" {
  description = "Domains served (and put on the Google-managed certificate); their DNS A records must point at the output ip_address."
  type        = list(string)

  validation {
    condition     = length(var.domains) >= 1 && length(var.domains) <= 100
    error_message = "domains must list 1 to 100 domain names."
  }

  validation {
    condition     = alltrue([for d in var.domains : can(regex("^([a-z0-9]([a-z0-9-]*[a-z0-9])?\\.)+[a-z]{2,}$", d))])
    error_message = "Each domain must be a lowercase fully qualified name such as app.example.com (no scheme, no wildcard)."
  }
}

variable "backends" {
  description = "Cloud Run services behind the load balancer, keyed by a short static name used in resource names; cdn turns on Cloud CDN for that backend."
  type = map(object({
    service_name = string
    cdn          = bool
  }))

  validation {
    condition     = length(var.backends) >= 1
    error_message = "backends must name at least one Cloud Run service."
  }

  validation {
    condition     = alltrue([for k in keys(var.backends) : can(regex("^[a-z][a-z0-9-]{0,19}$", k))])
    error_message = "Backend keys must be short lowercase names (at most 20 characters)."
  }
}

variable "default_backend" {
  description = "Key of the backend that receives every path not matched by path_rules."
  type        = string

  validation {
    condition     = contains(keys(var.backends), var.default_backend)
    error_message = "default_backend must be one of the keys of backends."
  }
}

variable "path_rules" {
  description = "Path prefixes routed to another backend (e.g. webhooks). Each prefix matches itself and everything below it."
  type = list(object({
    backend       = string
    path_prefixes = list(string)
  }))
  default = []

  validation {
    condition     = alltrue([for r in var.path_rules : contains(keys(var.backends), r.backend)])
    error_message = "Each path rule's backend must be one of the keys of backends."
  }

  validation {
    condition     = alltrue(flatten([for r in var.path_rules : [for p in r.path_prefixes : startswith(p, "/") && length(p) > 1]]))
    error_message = "Path prefixes must start with / and not be / alone."
  }
}

variable "armor" {
  description = "Attach a Cloud Armor policy (OWASP CRS rules, per-IP rate-based ban, adaptive protection)."
  type        = bool
  default     = true
}

variable "rate_limit_per_minute" {
  description = "Requests per client IP per minute before the IP is banned for rate_limit_ban_seconds."
  type        = number
  default     = 600

  validation {
    condition     = var.rate_limit_per_minute >= 1 && var.rate_limit_per_minute <= 1000000
    error_message = "rate_limit_per_minute must be from 1 to 1000000."
  }
}

variable "rate_limit_ban_seconds" {
  description = "How long an IP over the rate limit stays banned."
  type        = number
  default     = 600

  validation {
    condition     = var.rate_limit_ban_seconds >= 1 && var.rate_limit_ban_seconds <= 86400
    error_message = "rate_limit_ban_seconds must be from 1 to 86400."
  }
}

variable "waf_sensitivity" {
  description = "OWASP CRS paranoia level of the preconfigured WAF rules (1 = fewest false positives)."
  type        = number
  default     = 1

  validation {
    condition     = contains([1, 2, 3, 4], var.waf_sensitivity)
    error_message = "waf_sensitivity must be 1, 2, 3 or 4."
  }
}

variable "waf_preview" {
  description = "Only log WAF matches instead of blocking (for tuning false positives)."
  type        = bool
  default     = false
}

variable "ssl_profile" {
  description = "SSL policy profile; both allow TLS 1.2+ with modern ciphers only."
  type        = string
  default     = "MODERN"

  validation {
    condition     = contains(["MODERN", "RESTRICTED"], var.ssl_profile)
    error_message = "ssl_profile must be MODERN or RESTRICTED."
  }
}

variable "security_headers" {
  description = "Response headers the load balancer adds to every response (\"Name: value\")."
  type        = list(string)
  default = [
    "Strict-Transport-Security: max-age=31536000; includeSubDomains",
    "X-Content-Type-Options: nosniff",
    "X-Frame-Options: DENY",
    "Referrer-Policy: strict-origin-when-cross-origin",
  ]

  validation {
    condition     = alltrue([for h in var.security_headers : can(regex("^[A-Za-z0-9-]+: .+$", h))])
    error_message = "Each header must look like \"Name: value\"."
  }
}

variable "log_sample_rate" {
  description = "Share of requests logged by the load balancer (0 to 1)."
  type        = number
  default     = 1

  validation {
    condition     = var.log_sample_rate >= 0 && var.log_sample_rate <= 1
    error_message = "log_sample_rate must be from 0 to 1."
  }
}
