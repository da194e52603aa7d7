locals {
  # Cloud Run wants a duration string; the phase tables carry seconds.
  timeout = "${var.scaling.timeout_seconds}s"

  vpc_connector = var.vpc_access.mode == "connector" ? var.vpc_access.connector_id : null
  direct_vpc    = var.vpc_access.mode == "direct" ? [{ network = var.vpc_access.network_id, subnetwork = var.vpc_access.subnet_id }] : []

  # The one service object, whichever of the two variants below exists.
  service = one(concat(google_cloud_run_v2_service.managed, google_cloud_run_v2_service.ci_deployed))

  # Its guard, off only while pvctl's protected apply removes it (deletion_protection_lifted).
  service_address     = "google_cloud_run_v2_service.${var.container.image_managed_by_ci ? "ci_deployed" : "managed"}[0]"
  deletion_protection = var.deletion_protection && !contains(var.deletion_protection_lifted, local.service_address)
}

resource "google_service_account" "this" {
  project      = var.project_id
  account_id   = var.service_account.account_id
  display_name = "Cloud Run runtime: ${var.name}"
}

resource "google_project_iam_member" "this" {
  for_each = toset(var.service_account.project_roles)

  project = var.project_id
  role    = each.value
  member  = google_service_account.this.member
}

# Access to each secret the service reads, and to nothing else.
resource "google_secret_manager_secret_iam_member" "access" {
  for_each = var.container.secret_env

  project   = var.project_id
  secret_id = each.value
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.this.member
}

# Two variants of the same service because lifecycle.ignore_changes must be a
# static list: "managed" rolls out container.image on every apply, "ci_deployed" lets
# a CI pipeline own the image and ignores that drift. Switching between them is
# a state move (see README), never a replacement.
resource "google_cloud_run_v2_service" "managed" {
  count = var.container.image_managed_by_ci ? 0 : 1

  project              = var.project_id
  name                 = var.name
  location             = var.region
  description          = var.description
  labels               = var.labels
  ingress              = var.access.ingress
  invoker_iam_disabled = var.access.invoker_iam_disabled
  default_uri_disabled = var.access.default_uri_disabled
  deletion_protection  = local.deletion_protection

  template {
    service_account                  = google_service_account.this.email
    timeout                          = local.timeout
    max_instance_request_concurrency = var.scaling.concurrency
    execution_environment            = "EXECUTION_ENVIRONMENT_GEN2"
    labels                           = var.labels

    scaling {
      min_instance_count = var.scaling.min_instances
      max_instance_count = var.scaling.max_instances
    }

    vpc_access {
      connector = local.vpc_connector
      egress    = var.vpc_access.egress

      dynamic "network_interfaces" {
        for_each = local.direct_vpc
        content {
          network    = network_interfaces.value.network
          subnetwork = network_interfaces.value.subnetwork
        }
      }
    }

    containers {
      image = var.container.image

      ports {
        container_port = var.container.port
      }

      resources {
        limits            = { cpu = var.scaling.cpu, memory = var.scaling.memory }
        cpu_idle          = !var.scaling.cpu_always_allocated
        startup_cpu_boost = true
      }

      dynamic "env" {
        for_each = var.container.env
        content {
          name  = env.key
          value = env.value
        }
      }

      dynamic "env" {
        for_each = var.container.secret_env
        content {
          name = env.key
          value_source {
            secret_key_ref {
              secret  = env.value
              version = "latest"
            }
          }
        }
      }

      startup_probe {
        initial_delay_seconds = 0
        period_seconds        = 5
        timeout_seconds       = 3
        failure_threshold     = var.container.startup_failure_threshold
        http_get {
          path = var.container.health_path
          port = var.container.port
        }
      }

      liveness_probe {
        period_seconds    = 30
        timeout_seconds   = 5
        failure_threshold = 3
        http_get {
          path = var.container.health_path
          port = var.container.port
        }
      }
    }
  }

  depends_on = [google_secret_manager_secret_iam_member.access]
}

resource "google_cloud_run_v2_service" "ci_deployed" {
  count = var.container.image_managed_by_ci ? 1 : 0

  project              = var.project_id
  name                 = var.name
  location             = var.region
  description          = var.description
  labels               = var.labels
  ingress              = var.access.ingress
  invoker_iam_disabled = var.access.invoker_iam_disabled
  default_uri_disabled = var.access.default_uri_disabled
  deletion_protection  = local.deletion_protection

  template {
    service_account                  = google_service_account.this.email
    timeout                          = local.timeout
    max_instance_request_concurrency = var.scaling.concurrency
    execution_environment            = "EXECUTION_ENVIRONMENT_GEN2"
    labels                           = var.labels

    scaling {
      min_instance_count = var.scaling.min_instances
      max_instance_count = var.scaling.max_instances
    }

    vpc_access {
      connector = local.vpc_connector
      egress    = var.vpc_access.egress

      dynamic "network_interfaces" {
        for_each = local.direct_vpc
        content {
          network    = network_interfaces.value.network
          subnetwork = network_interfaces.value.subnetwork
        }
      }
    }

    containers {
      # Only the first deployment uses container.image; CI owns it afterwards.
      image = var.container.image

      ports {
        container_port = var.container.port
      }

      resources {
        limits            = { cpu = var.scaling.cpu, memory = var.scaling.memory }
        cpu_idle          = !var.scaling.cpu_always_allocated
        startup_cpu_boost = true
      }

      dynamic "env" {
        for_each = var.container.env
        content {
          name  = env.key
          value = env.value
        }
      }

      dynamic "env" {
        for_each = var.container.secret_env
        content {
          name = env.key
          value_source {
            secret_key_ref {
              secret  = env.value
              version = "latest"
            }
          }
        }
      }

      startup_probe {
        initial_delay_seconds = 0
        period_seconds        = 5
        timeout_seconds       = 3
        failure_threshold     = var.container.startup_failure_threshold
        http_get {
          path = var.container.health_path
          port = var.container.port
        }
      }

      liveness_probe {
        period_seconds    = 30
        timeout_seconds   = 5
        failure_threshold = 3
        http_get {
          path = var.container.health_path
          port = var.container.port
        }
      }
    }
  }

  lifecycle {
    # gcloud/CI deploys also stamp client and client_version.
    ignore_changes = [template[0].containers[0].image, client, client_version]
  }

  depends_on = [google_secret_manager_secret_iam_member.access]
}

resource "google_cloud_run_v2_service_iam_member" "invoker" {
  for_each = var.access.invokers

  project  = var.project_id
  location = var.region
  name     = local.service.name
  role     = "roles/run.invoker"
  member   = each.value
}
