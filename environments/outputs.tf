output "phase" {
  description = "Name of the phase last applied (read back by the downgrade guard)."
  value       = var.phase
}

output "phase_order" {
  description = "Position of that phase in the promotion order (phases.toml order)."
  value       = var.phase_order
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
  description = "Cloud Run service names by role (api; bff and webhooks once the site splits)."
  value       = merge({ api = module.api.name }, { for m in module.bff : "bff" => m.name }, { for m in module.webhooks : "webhooks" => m.name })
}

output "api_url" {
  description = "run.app URL of the API (unused while the API is public: the load balancer is its only entry; private, it takes an ID token from inside the VPC)."
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
  description = "Private IP of the Memorystore instance, or null without a cache."
  value       = one(module.redis[*].host)
}

output "redis_auth_secret_id" {
  description = "Secret holding the Redis AUTH string, or null without a cache."
  value       = one(module.redis[*].auth_secret_id)
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
  description = "Alert policy ids by purpose, or null without alerting."
  value       = one(module.monitoring[*].alert_policy_ids)
}

output "budget_id" {
  description = "Billing budget id, or null without a budget."
  value       = one(module.monitoring[*].budget_id)
}
