output "name" {
  description = "Service name."
  value       = local.service.name
}

output "uri" {
  description = "run.app URL of the service (unused when default_uri_disabled)."
  value       = local.service.uri
}

output "service_account_email" {
  description = "Email of the runtime service account."
  value       = google_service_account.this.email
}

output "service_account_member" {
  description = "IAM member string of the runtime service account (serviceAccount:…)."
  value       = google_service_account.this.member
}
