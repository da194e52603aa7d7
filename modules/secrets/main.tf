# Containers only: values are added with `pvctl secrets set NAME` so they never
# pass through Terraform variables, plans or state.
resource "google_secret_manager_secret" "this" {
  for_each = toset(var.names)

  project   = var.project_id
  secret_id = "${var.name_prefix}-${each.value}"
  labels    = var.labels

  # Replicas only in the workload region: customer credentials stay in Brazil
  # (LGPD), and a regional platform gains nothing from copies elsewhere.
  replication {
    user_managed {
      replicas {
        location = var.region
      }
    }
  }

  deletion_protection = var.deletion_protection && !contains(var.deletion_protection_lifted, "google_secret_manager_secret.this[\"${each.key}\"]")
}
