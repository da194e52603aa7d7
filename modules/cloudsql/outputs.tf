output "instance_name" {
  description = "Primary instance name."
  value       = google_sql_database_instance.primary.name
}

output "connection_name" {
  description = "project:region:instance, for the Cloud SQL connectors and Auth Proxy."
  value       = google_sql_database_instance.primary.connection_name
}

output "private_ip" {
  description = "Private IP of the primary instance."
  value       = google_sql_database_instance.primary.private_ip_address
}

output "replica_private_ip" {
  description = "Private IP of the read replica, or null."
  value       = var.settings.read_replica ? google_sql_database_instance.replica[0].private_ip_address : null
}

output "database_name" {
  description = "Application database."
  value       = google_sql_database.app.name
}

output "iam_users" {
  description = "IAM database user names per key."
  value       = { for k, u in google_sql_user.iam : k => u.name }
}
