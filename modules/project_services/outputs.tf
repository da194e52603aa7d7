output "enabled" {
  description = "The enabled service names (depend on this output to order resources after API enablement)."
  value       = [for s in google_project_service.this : s.service]
}
