output "network_id" {
  description = "Network id (projects/<p>/global/networks/<name>)."
  value       = google_compute_network.this.id
}

output "network_name" {
  description = "Network name."
  value       = google_compute_network.this.name
}

output "subnet_id" {
  description = "Workload subnet id (for Direct VPC egress)."
  value       = google_compute_subnetwork.main.id
}

output "connector_subnet_name" {
  description = "Name of the /28 subnet for the VPC Access connector."
  value       = google_compute_subnetwork.connector.name
}

# Taken from the connection, not the address, so that consumers (Cloud SQL,
# Redis) wait until the peering exists.
output "psa_range_name" {
  description = "Name of the Private Service Access range, available once the peering exists."
  value       = google_service_networking_connection.psa.reserved_peering_ranges[0]
}
