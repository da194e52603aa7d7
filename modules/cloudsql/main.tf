locals {
  # IAM database authentication, pgaudit for DDL and role changes, and
  # connection/lock/temp-file logging. Statement text beyond DDL is not
  # logged (it can carry customer data); Query Insights covers slow queries.
  module_flags = {
    "cloudsql.iam_authentication" = "on"
    "cloudsql.enable_pgaudit"     = "on"
    "pgaudit.log"                 = "ddl,role"
    "log_checkpoints"             = "on"
    "log_connections"             = "on"
    "log_disconnections"          = "on"
    "log_lock_waits"              = "on"
    "log_hostname"                = "on"
    "log_min_messages"            = "error"
    "log_min_error_statement"     = "error"
    "log_temp_files"              = "0"
    "log_min_duration_statement"  = "-1"
    "log_statement"               = "ddl"
  }
  flags = merge(var.flags, local.module_flags)

  dr_on       = var.disaster_recovery != null
  dr_promoted = local.dr_on && try(var.disaster_recovery.promoted, false)
  replicas = merge(
    var.settings.read_replica ? { read = { name = "${var.name}-replica", region = var.region, promoted = false } } : {},
    local.dr_on ? { dr = { name = "${var.name}-dr", region = var.disaster_recovery.region, promoted = local.dr_promoted } } : {},
  )
}

resource "google_sql_database_instance" "primary" {
  # checkov:skip=CKV_GCP_6:Client certificates are not required: connections are private-IP only, TLS is enforced (ENCRYPTED_ONLY) and apps authenticate with short-lived IAM tokens; per-client certificates would add key distribution without adding identity.
  # checkov:skip=CKV_GCP_79:The major version is a deliberate, tested choice (settings.database_version, POSTGRES_18 allowed); upgrades are in-place and planned, not forced by a scanner's notion of latest.
  # checkov:skip=CKV2_GCP_13:log_duration logs a line for every statement; at scale volume that is a large Cloud Logging bill for data Query Insights already provides.
  project             = var.project_id
  name                = var.name
  region              = var.region
  database_version    = var.settings.database_version
  deletion_protection = var.deletion_protection

  settings {
    tier                        = var.settings.tier
    edition                     = var.settings.edition
    availability_type           = var.settings.availability_type
    disk_type                   = var.settings.disk_type
    disk_size                   = var.settings.disk_size_gb
    disk_autoresize             = true
    disk_autoresize_limit       = var.settings.disk_autoresize_limit_gb
    deletion_protection_enabled = var.deletion_protection
    user_labels                 = var.labels

    ip_configuration {
      ipv4_enabled       = false
      private_network    = var.network.id
      allocated_ip_range = var.network.psa_range_name
      ssl_mode           = "ENCRYPTED_ONLY"
    }

    backup_configuration {
      enabled                        = true
      start_time                     = var.settings.backup_start_time
      location                       = var.settings.backup_location
      point_in_time_recovery_enabled = var.settings.point_in_time_recovery
      transaction_log_retention_days = var.settings.transaction_log_retention_days

      backup_retention_settings {
        retained_backups = var.settings.backup_retained_count
        retention_unit   = "COUNT"
      }
    }

    maintenance_window {
      day          = var.settings.maintenance_window.day
      hour         = var.settings.maintenance_window.hour
      update_track = "stable"
    }

    insights_config {
      query_insights_enabled  = true
      record_application_tags = true
      record_client_address   = false
    }

    password_validation_policy {
      enable_password_policy      = true
      min_length                  = 16
      complexity                  = "COMPLEXITY_DEFAULT"
      disallow_username_substring = true
    }

    dynamic "database_flags" {
      for_each = local.flags
      content {
        name  = database_flags.key
        value = database_flags.value
      }
    }
  }

  lifecycle {
    precondition {
      condition     = length(setintersection(keys(var.flags), keys(local.module_flags))) == 0
      error_message = "flags must not change a flag the module sets: ${join(", ", setintersection(keys(var.flags), keys(local.module_flags)))}."
    }
  }
}

# Replicas of the primary: "read" in the primary's region (settings.read_replica), "dr" in
# another region for disaster recovery (disaster_recovery). Promotion of "dr" (pvctl db failover)
# happens outside Terraform; disaster_recovery.promoted then tells the configuration, and the
# provider plans a promotion, not a replacement, when instance_type goes from
# READ_REPLICA_INSTANCE to CLOUD_SQL_INSTANCE with master_instance_name and replica_configuration
# unset (isReplicaPromoteRequested in google/services/sql/resource_sql_database_instance.go).
resource "google_sql_database_instance" "replica" {
  # checkov:skip=CKV_GCP_6:Same as the primary: private IP, ENCRYPTED_ONLY and IAM authentication instead of client certificates.
  # checkov:skip=CKV_GCP_79:Replicas must run the primary's major version.
  # checkov:skip=CKV2_GCP_13:Same as the primary: log_duration is too costly at volume, Query Insights covers latency.
  for_each = local.replicas

  project              = var.project_id
  name                 = each.value.name
  region               = each.value.region
  database_version     = var.settings.database_version
  master_instance_name = each.value.promoted ? null : google_sql_database_instance.primary.name
  instance_type        = each.value.promoted ? "CLOUD_SQL_INSTANCE" : "READ_REPLICA_INSTANCE"
  deletion_protection  = var.deletion_protection && !contains(var.deletion_protection_lifted, "google_sql_database_instance.replica[\"${each.key}\"]")

  settings {
    tier    = var.settings.tier
    edition = var.settings.edition
    # A replica stays zonal; once promoted it takes the primary's availability.
    availability_type = each.value.promoted ? var.settings.availability_type : "ZONAL"
    disk_type         = var.settings.disk_type
    # Starts at the primary's size (a replica needs at least that much), then grows with it.
    disk_size                   = var.settings.disk_size_gb
    disk_autoresize             = true
    disk_autoresize_limit       = var.settings.disk_autoresize_limit_gb
    deletion_protection_enabled = var.deletion_protection && !contains(var.deletion_protection_lifted, "google_sql_database_instance.replica[\"${each.key}\"]")
    user_labels                 = var.labels

    ip_configuration {
      ipv4_enabled       = false
      private_network    = var.network.id
      allocated_ip_range = var.network.psa_range_name
      ssl_mode           = "ENCRYPTED_ONLY"
    }

    # Replicas take no backups of their own; a promoted instance is the primary and must.
    dynamic "backup_configuration" {
      for_each = each.value.promoted ? [1] : []
      content {
        enabled                        = true
        start_time                     = var.settings.backup_start_time
        location                       = var.settings.backup_location
        point_in_time_recovery_enabled = var.settings.point_in_time_recovery
        transaction_log_retention_days = var.settings.transaction_log_retention_days

        backup_retention_settings {
          retained_backups = var.settings.backup_retained_count
          retention_unit   = "COUNT"
        }
      }
    }

    # A replica runs with the primary's flags.
    dynamic "database_flags" {
      for_each = local.flags
      content {
        name  = database_flags.key
        value = database_flags.value
      }
    }
  }
}

# The read replica was a counted resource before the disaster-recovery replica joined it.
moved {
  from = google_sql_database_instance.replica[0]
  to   = google_sql_database_instance.replica["read"]
}

resource "google_sql_database" "app" {
  project  = var.project_id
  name     = var.settings.database_name
  instance = google_sql_database_instance.primary.name
}

# Built-in admin for migrations and break-glass access. The password is a
# write-only argument: it is sent to the API but never stored in plan or state;
# bump admin.password_version to push a new one.
resource "google_sql_user" "admin" {
  project             = var.project_id
  name                = var.admin.user
  instance            = google_sql_database_instance.primary.name
  type                = "BUILT_IN"
  password_wo         = var.admin_password
  password_wo_version = var.admin.password_version
}

# One IAM database user per runtime service account: the apps log in with an
# OAuth token, so no application password exists anywhere.
resource "google_sql_user" "iam" {
  for_each = var.iam_service_accounts

  project  = var.project_id
  name     = trimsuffix(each.value, ".gserviceaccount.com")
  instance = google_sql_database_instance.primary.name
  type     = "CLOUD_IAM_SERVICE_ACCOUNT"
}
