output "ids" {
  description = "Secret id per short name (e.g. whatsapp-token → pv-whatsapp-token)."
  value       = { for n, s in google_secret_manager_secret.this : n => s.secret_id }
}
