output "phase" {
  description = "Name of the phase this root applies (read back by the downgrade guard)."
  value       = "growth"
}

output "phase_order" {
  description = "Position of the phase in mvp → growth → scale (phases.toml order)."
  value       = 2
}

output "site_url" {
  description = "Public URL of the site."
  value       = "https://${var.domain}"
}

output "load_balancer_ip" {
  description = "Global IP the domain's A record must point at."
  value       = module.edge.ip_address
}

output "service_names" {
  description = "Cloud Run service names by role."
  value       = { api = module.api.name }
}

output "api_url" {
  description = "run.app URL of the API (disabled while the load balancer is the only entry)."
  value       = module.api.uri
}

output "cloudsql_connection_name" {
  description = "Cloud SQL connection name (project:region:instance)."
  value       = module.database.connection_name
}

output "cloudsql_private_ip" {
  description = "Private IP of the Cloud SQL instance."
  value       = module.database.private_ip
}

output "redis_host" {
  description = "Private IP of the Memorystore instance."
  value       = module.redis.host
}

output "redis_auth_secret_id" {
  description = "Secret holding the Redis AUTH string."
  value       = module.redis.auth_secret_id
}

output "secret_ids" {
  description = "Secret id per short name."
  value       = module.secrets.ids
}

output "security_policy_name" {
  description = "Cloud Armor policy, or null when edge.armor is off."
  value       = module.edge.security_policy_name
}

output "alert_policy_ids" {
  description = "Alert policy ids by purpose."
  value       = module.monitoring.alert_policy_ids
}
