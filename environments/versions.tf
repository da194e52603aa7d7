terraform {
  required_version = ">= 1.11"

  required_providers {
    google = {
      source = "hashicorp/google"
      # Exactly the release whose schema pvctl's offline stand-in reproduces, so that an offline
      # plan and a live plan run against the same provider (a test keeps the two in step).
      version = "8.7.0"
    }
  }

  # Partial configuration: pvctl passes bucket and prefix (one state for every
  # phase of a project), or renders a local backend override when no bucket is set.
  backend "gcs" {}
}

provider "google" {
  project = var.project_id
  region  = var.region

  # Send this project as the quota project: some APIs (Billing Budgets) reject
  # user credentials (gcloud application-default login) without one.
  user_project_override = true
  billing_project       = var.project_id
}
