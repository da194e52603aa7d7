# A 1 GB BASIC Redis with AUTH and TLS in the Private Service Access range.

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

module "redis" {
  source = "../.."

  project_id = "pv-example-project"
  region     = "southamerica-east1"
  name       = "pv-redis"
  settings   = { tier = "BASIC", memory_size_gb = 1 }
  network    = { id = "projects/pv-example-project/global/networks/pv-vpc", psa_range_name = "pv-psa" }
}
