output "name" {
  description = "Service name (the load balancer's serverless NEG points here)."
  value       = module.service.name
}

output "service_account_member" {
  description = "IAM member of the BFF's runtime account; the private API grants it run.invoker."
  value       = module.service.service_account_member
}

output "service_account_email" {
  description = "Runtime service account email."
  value       = module.service.service_account_email
}
