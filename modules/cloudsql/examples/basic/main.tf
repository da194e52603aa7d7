# A shared-core PostgreSQL instance on a private IP, one IAM database user and one extra flag. The admin password is an ephemeral input: pass it as TF_VAR_db_admin_password.

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

variable "db_admin_password" {
  description = "Password of the built-in admin user; write-only, never stored."
  type        = string
  sensitive   = true
  ephemeral   = true
  nullable    = false
}

module "database" {
  source = "../.."

  project_id           = "pv-example-project"
  region               = "southamerica-east1"
  name                 = "pv-pg"
  settings             = { tier = "db-f1-micro", disk_size_gb = 10 }
  flags                = { "max_connections" = "100" }
  network              = { id = "projects/pv-example-project/global/networks/pv-vpc", psa_range_name = "pv-psa" }
  admin_password       = var.db_admin_password
  iam_service_accounts = { api = "pv-api-run@pv-example-project.iam.gserviceaccount.com" }
}
