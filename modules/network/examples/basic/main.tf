# The VPC with its defaults: /24 workload subnet, /28 connector subnet, Private Service Access and Cloud NAT.

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

module "network" {
  source = "../.."

  project_id  = "pv-example-project"
  region      = "southamerica-east1"
  name_prefix = "pv"
}
