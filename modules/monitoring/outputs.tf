output "notification_channel_id" {
  description = "The e-mail notification channel."
  value       = google_monitoring_notification_channel.email.id
}

output "alert_policy_ids" {
  description = "Alert policy ids by purpose."
  value = {
    cpu        = google_monitoring_alert_policy.utilization["cpu"].id
    memory     = google_monitoring_alert_policy.utilization["memory"].id
    latency    = google_monitoring_alert_policy.latency.id
    errors_5xx = google_monitoring_alert_policy.errors_5xx.id
    uptime     = google_monitoring_alert_policy.uptime.id
  }
}

output "slo_names" {
  description = "Full resource names of the SLOs (for select_slo_burn_rate and the API), keyed \"<service>-availability\" and \"<service>-latency\"."
  value       = { for k, s in google_monitoring_slo.run : k => s.name }
}

output "burn_rate_policy_ids" {
  description = "Burn-rate alert policy ids, keyed \"<service>-<sli>-fast|slow\"."
  value       = { for k, p in google_monitoring_alert_policy.burn_rate : k => p.id }
}

output "uptime_check_id" {
  description = "Uptime check id."
  value       = google_monitoring_uptime_check_config.site.uptime_check_id
}

output "budget_id" {
  description = "Budget id, or null without a budget."
  value       = local.budget_enabled ? google_billing_budget.this[0].id : null
}
