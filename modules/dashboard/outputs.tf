output "id" {
  description = "Dashboard id (projects/<number>/dashboards/<id>)."
  value       = google_monitoring_dashboard.this.id
}

output "chart_titles" {
  description = "Titles of the dashboard's charts, in order."
  value       = [for c in local.charts : c.title]
}
