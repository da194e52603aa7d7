locals {
  services_filter = "resource.type = \"cloud_run_revision\" AND resource.labels.service_name = one_of(${join(", ", [for s in var.service_names : "\"${s}\""])})"
  channels        = [google_monitoring_notification_channel.email.id]

  budget_enabled = var.budget != null
  t              = var.thresholds

  # Utilization alerts share one shape: the p95 of the containers' utilization distribution.
  utilization = {
    cpu    = { metric = "run.googleapis.com/container/cpu/utilizations", threshold = local.t.cpu_utilization_threshold, label = "CPU" }
    memory = { metric = "run.googleapis.com/container/memory/utilizations", threshold = local.t.memory_utilization_threshold, label = "Memory" }
  }

  # Two SLOs per public service; a request is good when it is not a 5xx, or when it answers
  # within the latency objective (request_latencies is in milliseconds).
  # "p95 within X ms" is 95 % of requests within X ms. The goal is formatted to 4 decimals
  # (the API's precision): 1 - 0.001 in Terraform's arbitrary precision is not 0.999 in JSON.
  slos = merge([for s in var.slo_service_names : {
    "${s}-availability" = { service = s, sli = "availability", goal = tonumber(format("%.4f", 1 - local.t.error_5xx_ratio_threshold)), what = "requests answered without a 5xx" }
    "${s}-latency"      = { service = s, sli = "latency", goal = 0.95, what = "requests answered within ${local.t.latency_p95_threshold_ms} ms" }
  }]...)

  # Multiwindow burn-rate alerting: the fast window pages on a sudden outage, the slow one
  # warns of a steady leak (https://cloud.google.com/stackdriver/docs/solutions/slo-monitoring/alerting-on-budget-burn-rate).
  burn_windows = {
    fast = { rate = local.t.burn_rate_fast, seconds = local.t.burn_rate_fast_window_seconds, severity = "CRITICAL" }
    slow = { rate = local.t.burn_rate_slow, seconds = local.t.burn_rate_slow_window_seconds, severity = "WARNING" }
  }
  burn_alerts = merge([for key, slo in local.slos : {
    for window, w in local.burn_windows : "${key}-${window}" => merge(w, { slo = key, window = window, service = slo.service, sli = slo.sli })
  }]...)
}

# The alert policies were single resources before memory joined CPU.
moved {
  from = google_monitoring_alert_policy.cpu
  to   = google_monitoring_alert_policy.utilization["cpu"]
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
resource "google_monitoring_alert_policy" "utilization" {
  for_each = local.utilization

  project               = var.project_id
  display_name          = "${var.name_prefix}: Cloud Run ${each.value.label} above ${format("%.4g", each.value.threshold * 100)}%"
  combiner              = "OR"
  severity              = "WARNING"
  notification_channels = local.channels

  conditions {
    display_name = "${each.value.label} utilization p95 above threshold for ${local.t.utilization_window_seconds / 60} minutes"
    condition_threshold {
      filter          = "${local.services_filter} AND metric.type = \"${each.value.metric}\""
      comparison      = "COMPARISON_GT"
      threshold_value = each.value.threshold
      duration        = "${local.t.utilization_window_seconds}s"
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
    content   = "${each.value.label} of a Cloud Run service stayed above the threshold. Check `pvctl status`, recent deploys, and whether max instances is reached."
  }
}

resource "google_monitoring_alert_policy" "latency" {
  project               = var.project_id
  display_name          = "${var.name_prefix}: p95 latency above ${local.t.latency_p95_ms_max} ms"
  combiner              = "OR"
  severity              = "WARNING"
  notification_channels = local.channels

  conditions {
    display_name = "Request latency p95 above ${local.t.latency_p95_ms_max} ms for ${local.t.latency_window_seconds / 60} minutes"
    condition_threshold {
      filter          = "${local.services_filter} AND metric.type = \"run.googleapis.com/request_latencies\""
      comparison      = "COMPARISON_GT"
      threshold_value = local.t.latency_p95_ms_max
      duration        = "${local.t.latency_window_seconds}s"
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
    content   = "p95 request latency is above the alert threshold. Look at database load (Query Insights), cold starts and upstream (LLM, WhatsApp) latency."
  }
}

# The share of 5xx over one window of error_window_seconds: one aligned point is the window.
resource "google_monitoring_alert_policy" "errors_5xx" {
  project               = var.project_id
  display_name          = "${var.name_prefix}: 5xx ratio above ${format("%.4g", local.t.error_5xx_ratio_max * 100)}%"
  combiner              = "OR"
  severity              = "ERROR"
  notification_channels = local.channels

  conditions {
    display_name = "Share of 5xx responses above threshold over ${local.t.error_window_seconds / 60} minutes"
    condition_threshold {
      filter             = "${local.services_filter} AND metric.type = \"run.googleapis.com/request_count\" AND metric.labels.response_code_class = \"5xx\""
      denominator_filter = "${local.services_filter} AND metric.type = \"run.googleapis.com/request_count\""
      comparison         = "COMPARISON_GT"
      threshold_value    = local.t.error_5xx_ratio_max
      duration           = "0s"
      aggregations {
        alignment_period     = "${local.t.error_window_seconds}s"
        per_series_aligner   = "ALIGN_RATE"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["resource.labels.service_name"]
      }
      denominator_aggregations {
        alignment_period     = "${local.t.error_window_seconds}s"
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

# One Monitoring service per public Cloud Run service: the SLOs hang on it.
resource "google_monitoring_custom_service" "run" {
  for_each = toset(var.slo_service_names)

  project      = var.project_id
  service_id   = each.key
  display_name = "${each.key} (Cloud Run)"

  telemetry {
    resource_name = "//run.googleapis.com/projects/${var.project_id}/locations/${var.region}/services/${each.key}"
  }
}

resource "google_monitoring_slo" "run" {
  for_each = local.slos

  project             = var.project_id
  service             = google_monitoring_custom_service.run[each.value.service].service_id
  slo_id              = each.value.sli
  display_name        = "${format("%.4g", each.value.goal * 100)}% of ${each.value.what}, rolling ${local.t.slo_rolling_days} days"
  goal                = each.value.goal
  rolling_period_days = local.t.slo_rolling_days

  request_based_sli {
    dynamic "good_total_ratio" {
      for_each = each.value.sli == "availability" ? [1] : []
      content {
        total_service_filter = "metric.type=\"run.googleapis.com/request_count\" resource.type=\"cloud_run_revision\" resource.label.\"service_name\"=\"${each.value.service}\""
        bad_service_filter   = "metric.type=\"run.googleapis.com/request_count\" resource.type=\"cloud_run_revision\" resource.label.\"service_name\"=\"${each.value.service}\" metric.label.\"response_code_class\"=\"5xx\""
      }
    }
    dynamic "distribution_cut" {
      for_each = each.value.sli == "latency" ? [1] : []
      content {
        distribution_filter = "metric.type=\"run.googleapis.com/request_latencies\" resource.type=\"cloud_run_revision\" resource.label.\"service_name\"=\"${each.value.service}\""
        range {
          max = local.t.latency_p95_threshold_ms
        }
      }
    }
  }
}

resource "google_monitoring_alert_policy" "burn_rate" {
  for_each = local.burn_alerts

  project               = var.project_id
  display_name          = "${var.name_prefix}: ${each.value.service} ${each.value.sli} error budget burning ${format("%.4g", each.value.rate)}x (${each.value.window})"
  combiner              = "OR"
  severity              = each.value.severity
  notification_channels = local.channels

  conditions {
    display_name = "Burn rate above ${format("%.4g", each.value.rate)} over ${each.value.seconds / 3600} h"
    condition_threshold {
      filter          = "select_slo_burn_rate(\"${google_monitoring_slo.run[each.value.slo].name}\", \"${each.value.seconds}s\")"
      comparison      = "COMPARISON_GT"
      threshold_value = each.value.rate
      duration        = "0s"
    }
  }

  documentation {
    mime_type = "text/markdown"
    content   = "The ${each.value.sli} SLO of ${each.value.service} is spending its error budget ${format("%.4g", each.value.rate)} times faster than the SLO period allows. Fast window: act now (roll back the latest deploy); slow window: find the steady cause this week."
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
