output "name" {
  description = "Service name (the load balancer's serverless NEG points here)."
  value       = module.service.name
}

output "uri" {
  description = "run.app URL; the BFF calls a private API here with an ID token for this audience."
  value       = module.service.uri
}

output "service_account_email" {
  description = "Runtime service account email (Cloud SQL IAM database user)."
  value       = module.service.service_account_email
}

output "database_user" {
  description = "Cloud SQL IAM user name the service logs in with."
  value       = local.database_user
}
