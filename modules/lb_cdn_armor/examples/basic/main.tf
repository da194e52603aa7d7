# One domain, a site backend with Cloud CDN and a webhook backend for /webhooks, behind Cloud Armor.

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

module "edge" {
  source = "../.."

  project_id  = "pv-example-project"
  region      = "southamerica-east1"
  name_prefix = "pv"
  domains     = ["app.example.com"]
  routing = {
    backends = {
      site     = { service_name = "pv-bff", cdn = true }
      webhooks = { service_name = "pv-webhooks" }
    }
    default_backend = "site"
    path_rules      = [{ backend = "webhooks", path_prefixes = ["/webhooks/"] }]
  }
  security = { rate_limit_per_minute = 1200 }
}
