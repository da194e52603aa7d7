# The APIs a small Cloud Run platform needs.

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

module "services" {
  source = "../.."

  project_id = "pv-example-project"
  services   = ["run.googleapis.com", "sqladmin.googleapis.com", "secretmanager.googleapis.com"]
}
