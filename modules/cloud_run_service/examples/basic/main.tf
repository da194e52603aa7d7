# A service reached only through a load balancer, with Direct VPC egress.

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

module "service" {
  source = "../.."

  project_id      = "pv-example-project"
  region          = "southamerica-east1"
  name            = "pv-hello"
  service_account = { account_id = "pv-hello-run" }
  container       = { image = "us-docker.pkg.dev/cloudrun/container/hello" }
  scaling         = { max_instances = 2 }
  access = {
    ingress              = "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER"
    invoker_iam_disabled = true
    default_uri_disabled = true
  }
  vpc_access = {
    mode       = "direct"
    network_id = "projects/pv-example-project/global/networks/pv-vpc"
    subnet_id  = "projects/pv-example-project/regions/southamerica-east1/subnetworks/pv-main"
  }
}
