# Alerts for two services, SLOs with burn-rate alerts on the public one, and an uptime check,
# with the default thresholds and no budget.

terraform {
  required_version = ">= 1.11"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = ">= 8.0, < 9.0"
    }
  }
}

provider "google" {
  project = "pv-example-project"
  region  = "southamerica-east1"
}

module "monitoring" {
  source = "../.."

  project_id        = "pv-example-project"
  region            = "southamerica-east1"
  name_prefix       = "pv"
  alert_email       = "ops@example.com"
  service_names     = ["pv-api", "pv-webhooks"]
  slo_service_names = ["pv-webhooks"]
  uptime_host       = "app.example.com"
}
