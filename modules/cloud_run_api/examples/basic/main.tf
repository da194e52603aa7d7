# The FastAPI service, public through the load balancer, with a Cloud SQL database, through a VPC Access connector.

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

module "api" {
  source = "../.."

  project_id  = "pv-example-project"
  region      = "southamerica-east1"
  name_prefix = "pv"
  container   = { image = "southamerica-east1-docker.pkg.dev/pv-example-project/app/api:1.0.0" }
  settings    = { public = true, max_instances = 3, timeout_seconds = 3600 }
  connections = { database = { host = "10.20.0.3", name = "app" } }
  vpc_access  = { mode = "connector", connector_id = "projects/pv-example-project/locations/southamerica-east1/connectors/pv-conn" }
}
