output "name" {
  description = "Instance name."
  value       = google_redis_instance.this.name
}

output "host" {
  description = "Private IP of the primary endpoint."
  value       = google_redis_instance.this.host
}

output "port" {
  description = "Port of the primary endpoint (TLS)."
  value       = google_redis_instance.this.port
}

output "ca_cert" {
  description = "PEM of the server CA clients must trust (public, not a secret)."
  value       = google_redis_instance.this.server_ca_certs[0].cert
}

output "auth_secret_id" {
  description = "Secret Manager secret holding the AUTH string."
  value       = google_secret_manager_secret.auth.secret_id

  # A Cloud Run revision reading the secret ("latest") fails to start while it has no
  # version: services that take this id must wait for the version, not just the secret.
  depends_on = [google_secret_manager_secret_version.auth]
}
