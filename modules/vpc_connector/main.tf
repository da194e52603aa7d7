# Sized by instance count, not throughput: the two are mutually exclusive and
# the count is what is billed (one e2-micro VM per instance).
resource "google_vpc_access_connector" "this" {
  project       = var.project_id
  name          = var.name
  region        = var.region
  machine_type  = var.settings.machine_type
  min_instances = var.settings.min_instances
  max_instances = var.settings.max_instances

  subnet {
    name       = var.subnet_name
    project_id = var.project_id
  }
}
