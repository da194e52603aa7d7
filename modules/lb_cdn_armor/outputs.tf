output "ip_address" {
  description = "Global IPv4 address; point the domains' A records here."
  value       = google_compute_global_address.this.address
}

output "certificate_name" {
  description = "Name of the Google-managed certificate (changes with the domain list)."
  value       = google_compute_managed_ssl_certificate.this.name
}

output "security_policy_name" {
  description = "Cloud Armor policy name, or null when armor is off."
  value       = var.security.armor ? google_compute_security_policy.this[0].name : null
}

output "backend_service_names" {
  description = "Backend service name per backend key."
  value       = { for k, b in google_compute_backend_service.this : k => b.name }
}

output "url_map_name" {
  description = "Name of the HTTPS URL map (uptime checks and the 5xx alert filter on it)."
  value       = google_compute_url_map.https.name
}
