resource "google_compute_target_https_proxy" "web" {
  # checkov:skip=PV_GCP_6
  name             = "pv-https"
  url_map          = "projects/example-project/global/urlMaps/pv-web"
  ssl_certificates = ["projects/example-project/global/sslCertificates/pv-cert"]
}
