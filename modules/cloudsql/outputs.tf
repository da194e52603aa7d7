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
  value       = var.settings.read_replica ? google_sql_database_instance.replica["read"].private_ip_address : null
}

output "dr_instance_name" {
  description = "Name of the cross-region disaster-recovery instance, or null."
  value       = local.dr_on ? google_sql_database_instance.replica["dr"].name : null
}

output "dr_private_ip" {
  description = "Private IP of the disaster-recovery instance, or null."
  value       = local.dr_on ? google_sql_database_instance.replica["dr"].private_ip_address : null
}

output "writer_private_ip" {
  description = "Private IP of the instance that takes writes: the primary, or the disaster-recovery instance once promoted."
  value       = local.dr_promoted ? google_sql_database_instance.replica["dr"].private_ip_address : google_sql_database_instance.primary.private_ip_address
}

output "database_name" {
  description = "Application database."
  value       = google_sql_database.app.name
}

output "iam_users" {
  description = "IAM database user names per key."
  value       = { for k, u in google_sql_user.iam : k => u.name }
}
