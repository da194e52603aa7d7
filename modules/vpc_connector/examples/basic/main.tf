# A connector of two to three e2-micro instances on the network module's /28 subnet.

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

module "connector" {
  source = "../.."

  project_id  = "pv-example-project"
  region      = "southamerica-east1"
  name        = "pv-conn"
  subnet_name = "pv-connector"
  settings    = { min_instances = 2, max_instances = 3 }
}
