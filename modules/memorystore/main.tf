resource "google_redis_instance" "this" {
  project             = var.project_id
  name                = var.name
  region              = var.region
  tier                = var.settings.tier
  memory_size_gb      = var.settings.memory_size_gb
  redis_version       = var.settings.version
  labels              = var.labels
  deletion_protection = var.deletion_protection && !contains(var.deletion_protection_lifted, "google_redis_instance.this")

  authorized_network = var.network.id
  connect_mode       = "PRIVATE_SERVICE_ACCESS"
  reserved_ip_range  = var.network.psa_range_name

  auth_enabled            = true
  transit_encryption_mode = "SERVER_AUTHENTICATION"

  # Sessions and caches: under memory pressure evict the least recently used
  # key instead of failing writes.
  redis_configs = merge({ "maxmemory-policy" = "allkeys-lru" }, var.settings.extra_configs)

  maintenance_policy {
    weekly_maintenance_window {
      day = var.settings.maintenance_day
      start_time {
        hours   = var.settings.maintenance_hour
        minutes = 0
        seconds = 0
        nanos   = 0
      }
    }
  }
}

# The AUTH string reaches the app through Secret Manager (secret_key_ref), not
# through an environment value. secret_data_wo keeps it out of this resource's
# state; the version string only changes when the AUTH string does.
resource "google_secret_manager_secret" "auth" {
  project   = var.project_id
  secret_id = "${var.name}-auth"
  labels    = var.labels

  replication {
    user_managed {
      replicas {
        location = var.region
      }
    }
  }

  deletion_protection = var.deletion_protection && !contains(var.deletion_protection_lifted, "google_secret_manager_secret.auth")
}

resource "google_secret_manager_secret_version" "auth" {
  secret                 = google_secret_manager_secret.auth.id
  secret_data_wo         = google_redis_instance.this.auth_string
  secret_data_wo_version = substr(sha256(google_redis_instance.this.auth_string), 0, 16)
}
