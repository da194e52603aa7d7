# Two secret containers; their values are added outside Terraform.

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

module "secrets" {
  source = "../.."

  project_id  = "pv-example-project"
  region      = "southamerica-east1"
  name_prefix = "pv"
  names       = ["session-signing-key", "whatsapp-token"]
}
