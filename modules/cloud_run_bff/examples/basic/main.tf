# The Next.js BFF calling a private API, all egress through a VPC Access connector.

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

module "bff" {
  source = "../.."

  project_id  = "pv-example-project"
  region      = "southamerica-east1"
  name_prefix = "pv"
  container   = { image = "southamerica-east1-docker.pkg.dev/pv-example-project/app/bff:1.0.0" }
  settings    = { min_instances = 1, max_instances = 4 }
  api_url     = "https://pv-api-abcdefghij-rj.a.run.app"
  vpc_access  = { mode = "connector", connector_id = "projects/pv-example-project/locations/southamerica-east1/connectors/pv-conn" }
}
