resource "google_compute_network" "this" {
  project                 = var.project_id
  name                    = "${var.name_prefix}-vpc"
  auto_create_subnetworks = false
  routing_mode            = "REGIONAL"
}

# Nothing in this VPC accepts connections from outside: the explicit deny (just
# above the implied one) makes that visible and logs attempts. The connector's
# own Google-managed allow rules have higher priority and keep working.
resource "google_compute_firewall" "deny_ingress" {
  project     = var.project_id
  name        = "${var.name_prefix}-deny-ingress"
  network     = google_compute_network.this.id
  direction   = "INGRESS"
  priority    = 65534
  description = "Deny all ingress not allowed by a higher-priority rule"

  deny {
    protocol = "all"
  }

  source_ranges = ["0.0.0.0/0"]

  log_config {
    metadata = "EXCLUDE_ALL_METADATA"
  }
}

# Workloads (Direct VPC egress) live here. Private Google Access lets them reach
# Google APIs, including internal-only Cloud Run services, without public IPs.
resource "google_compute_subnetwork" "main" {
  project                  = var.project_id
  name                     = "${var.name_prefix}-main"
  region                   = var.region
  network                  = google_compute_network.this.id
  ip_cidr_range            = var.settings.subnet_cidr
  private_ip_google_access = true

  log_config {
    aggregation_interval = "INTERVAL_10_MIN"
    flow_sampling        = var.settings.flow_log_sampling
    metadata             = "INCLUDE_ALL_METADATA"
  }
}

# The Serverless VPC Access connector needs a dedicated, otherwise unused /28.
# Private Google Access here is what makes a BFF's egress through the connector
# count as "internal" for an internal-only API service.
resource "google_compute_subnetwork" "connector" {
  project                  = var.project_id
  name                     = "${var.name_prefix}-connector"
  region                   = var.region
  network                  = google_compute_network.this.id
  ip_cidr_range            = var.settings.connector_cidr
  private_ip_google_access = true

  log_config {
    aggregation_interval = "INTERVAL_10_MIN"
    flow_sampling        = var.settings.flow_log_sampling
    metadata             = "INCLUDE_ALL_METADATA"
  }
}

# Private Service Access: one allocated range shared by Cloud SQL and Memorystore.
resource "google_compute_global_address" "psa" {
  project       = var.project_id
  name          = "${var.name_prefix}-psa"
  network       = google_compute_network.this.id
  purpose       = "VPC_PEERING"
  address_type  = "INTERNAL"
  address       = var.settings.psa_address
  prefix_length = var.settings.psa_prefix_length
}

# ABANDON: on destroy the peering stays until the producers (Cloud SQL, Redis)
# are gone; a real delete fails while they still use it.
resource "google_service_networking_connection" "psa" {
  network                 = google_compute_network.this.id
  service                 = "servicenetworking.googleapis.com"
  reserved_peering_ranges = [google_compute_global_address.psa.name]
  deletion_policy         = "ABANDON"
}

# Cloud NAT gives egress to the internet (WhatsApp, CRMs, LLM APIs) for traffic
# that enters the VPC with egress ALL_TRAFFIC, without public IPs.
resource "google_compute_router" "this" {
  project = var.project_id
  name    = "${var.name_prefix}-router"
  region  = var.region
  network = google_compute_network.this.id
}

resource "google_compute_router_nat" "this" {
  project                            = var.project_id
  name                               = "${var.name_prefix}-nat"
  region                             = var.region
  router                             = google_compute_router.this.name
  nat_ip_allocate_option             = "AUTO_ONLY"
  source_subnetwork_ip_ranges_to_nat = "ALL_SUBNETWORKS_ALL_IP_RANGES"

  log_config {
    enable = true
    filter = "ERRORS_ONLY"
  }
}
