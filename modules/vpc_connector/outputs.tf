output "id" {
  description = "Connector id, the value Cloud Run's vpc_access.connector expects."
  value       = google_vpc_access_connector.this.id
}

output "name" {
  description = "Connector name."
  value       = google_vpc_access_connector.this.name
}
