# A dashboard for one Cloud Run service, its database, cache, load balancer and Cloud Armor policy.

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

module "dashboard" {
  source = "../.."

  project_id    = "pv-example-project"
  display_name  = "pv: growth"
  service_names = ["pv-api"]
  sources = {
    database_instance = "pv-pg"
    redis_instance    = "pv-redis"
    redis_region      = "southamerica-east1"
    url_map_name      = "pv-urlmap"
    armor_policy_name = "pv-armor"
  }
}
