# APIs stay enabled when this module is destroyed: disabling an API that other
# resources (or people) still use breaks them, and re-enabling is cheap.
resource "google_project_service" "this" {
  for_each = toset(var.services)

  project            = var.project_id
  service            = each.value
  disable_on_destroy = false
}
