locals {
  services_filter = "resource.type = \"cloud_run_revision\" AND resource.labels.service_name = one_of(${join(", ", [for s in var.service_names : "\"${s}\""])})"
  channels        = [google_monitoring_notification_channel.email.id]

  budget_enabled = var.budget != null
}

resource "google_monitoring_notification_channel" "email" {
  project      = var.project_id
  display_name = "${var.name_prefix} on-call e-mail"
  type         = "email"
  labels = {
    email_address = var.alert_email
  }
}

# Display names format thresholds with %.4g, not %g: Terraform numbers are arbitrary
# precision, and with plain %g a threshold of 0.005 prints as "0.4999…96" (150 digits).
resource "google_monitoring_alert_policy" "cpu" {
  project               = var.project_id
  display_name          = "${var.name_prefix}: Cloud Run CPU above ${format("%.4g", var.thresholds.cpu_utilization_threshold * 100)}%"
  combiner              = "OR"
  severity              = "WARNING"
  notification_channels = local.channels

  conditions {
    display_name = "CPU utilization p95 above threshold for 5 minutes"
    condition_threshold {
      filter          = "${local.services_filter} AND metric.type = \"run.googleapis.com/container/cpu/utilizations\""
      comparison      = "COMPARISON_GT"
      threshold_value = var.thresholds.cpu_utilization_threshold
      duration        = "300s"
      aggregations {
        alignment_period     = "60s"
        per_series_aligner   = "ALIGN_PERCENTILE_95"
        cross_series_reducer = "REDUCE_MAX"
        group_by_fields      = ["resource.labels.service_name"]
      }
    }
  }

  documentation {
    mime_type = "text/markdown"
    content   = "CPU of a Cloud Run service stayed above the phase threshold. Check `pvctl status`, recent deploys, and whether max instances is reached."
  }
}

resource "google_monitoring_alert_policy" "latency" {
  project               = var.project_id
  display_name          = "${var.name_prefix}: p95 latency above ${var.thresholds.latency_p95_threshold_ms} ms"
  combiner              = "OR"
  severity              = "WARNING"
  notification_channels = local.channels

  conditions {
    display_name = "Request latency p95 above the SLO for 5 minutes"
    condition_threshold {
      filter          = "${local.services_filter} AND metric.type = \"run.googleapis.com/request_latencies\""
      comparison      = "COMPARISON_GT"
      threshold_value = var.thresholds.latency_p95_threshold_ms
      duration        = "300s"
      aggregations {
        alignment_period     = "60s"
        per_series_aligner   = "ALIGN_PERCENTILE_95"
        cross_series_reducer = "REDUCE_MAX"
        group_by_fields      = ["resource.labels.service_name"]
      }
    }
  }

  documentation {
    mime_type = "text/markdown"
    content   = "p95 request latency is above the SLO. Look at database load (Query Insights), cold starts and upstream (LLM, WhatsApp) latency."
  }
}

resource "google_monitoring_alert_policy" "errors_5xx" {
  project               = var.project_id
  display_name          = "${var.name_prefix}: 5xx ratio above ${format("%.4g", var.thresholds.error_5xx_ratio_threshold * 100)}%"
  combiner              = "OR"
  severity              = "ERROR"
  notification_channels = local.channels

  conditions {
    display_name = "Share of 5xx responses above threshold for 5 minutes"
    condition_threshold {
      filter             = "${local.services_filter} AND metric.type = \"run.googleapis.com/request_count\" AND metric.labels.response_code_class = \"5xx\""
      denominator_filter = "${local.services_filter} AND metric.type = \"run.googleapis.com/request_count\""
      comparison         = "COMPARISON_GT"
      threshold_value    = var.thresholds.error_5xx_ratio_threshold
      duration           = "300s"
      aggregations {
        alignment_period     = "60s"
        per_series_aligner   = "ALIGN_RATE"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["resource.labels.service_name"]
      }
      denominator_aggregations {
        alignment_period     = "60s"
        per_series_aligner   = "ALIGN_RATE"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["resource.labels.service_name"]
      }
    }
  }

  documentation {
    mime_type = "text/markdown"
    content   = "The service answers too many 5xx. Check the latest revision's logs; roll back traffic if a deploy caused it."
  }
}

resource "google_monitoring_uptime_check_config" "site" {
  project      = var.project_id
  display_name = "${var.name_prefix}: https://${var.uptime_host}${var.thresholds.uptime_check_path}"
  timeout      = "10s"
  period       = "300s"

  http_check {
    path         = var.thresholds.uptime_check_path
    port         = 443
    use_ssl      = true
    validate_ssl = true
  }

  monitored_resource {
    type = "uptime_url"
    labels = {
      project_id = var.project_id
      host       = var.uptime_host
    }
  }
}

resource "google_monitoring_alert_policy" "uptime" {
  project               = var.project_id
  display_name          = "${var.name_prefix}: site unreachable"
  combiner              = "OR"
  severity              = "CRITICAL"
  notification_channels = local.channels

  conditions {
    display_name = "Uptime check failing from several regions"
    condition_threshold {
      filter          = "resource.type = \"uptime_url\" AND metric.type = \"monitoring.googleapis.com/uptime_check/check_passed\" AND metric.labels.check_id = \"${google_monitoring_uptime_check_config.site.uptime_check_id}\""
      comparison      = "COMPARISON_GT"
      threshold_value = 1
      duration        = "600s"
      aggregations {
        alignment_period     = "1200s"
        per_series_aligner   = "ALIGN_NEXT_OLDER"
        cross_series_reducer = "REDUCE_COUNT_FALSE"
        group_by_fields      = ["resource.labels.host"]
      }
    }
  }
}

data "google_project" "this" {
  count = local.budget_enabled ? 1 : 0

  project_id = var.project_id
}

resource "google_billing_budget" "this" {
  count = local.budget_enabled ? 1 : 0

  billing_account = var.budget.billing_account
  display_name    = "${var.name_prefix} monthly budget"

  budget_filter {
    projects        = ["projects/${data.google_project.this[0].number}"]
    calendar_period = "MONTH"
  }

  amount {
    specified_amount {
      currency_code = "USD"
      units         = tostring(var.budget.amount_usd)
    }
  }

  dynamic "threshold_rules" {
    for_each = var.budget.alert_thresholds
    content {
      threshold_percent = threshold_rules.value
      spend_basis       = "CURRENT_SPEND"
    }
  }

  all_updates_rule {
    monitoring_notification_channels = local.channels
    disable_default_iam_recipients   = false
  }
}
