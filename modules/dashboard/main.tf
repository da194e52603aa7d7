# The dashboard is data: each chart is one entry below (metric, aligner, reducer, grouping),
# and the JSON the Monitoring API takes is built from these lists with jsonencode.
# Metric names: https://cloud.google.com/monitoring/api/metrics_gcp

locals {
  services = join(", ", [for s in var.service_names : "\"${s}\""])
  run      = "resource.type=\"cloud_run_revision\" resource.label.\"service_name\"=one_of(${local.services})"
  sql      = "resource.type=\"cloudsql_database\" resource.label.\"database_id\"=\"${var.project_id}:${var.sources.database_instance}\""
  redis    = var.sources.redis_instance == null ? null : "resource.type=\"redis_instance\" resource.label.\"instance_id\"=\"projects/${var.project_id}/locations/${var.sources.redis_region}/instances/${var.sources.redis_instance}\""
  lb       = "resource.type=\"https_lb_rule\" resource.label.\"url_map_name\"=\"${var.sources.url_map_name}\""
  armor    = var.sources.armor_policy_name == null ? null : "resource.type=\"network_security_policy\" resource.label.\"policy_name\"=\"${var.sources.armor_policy_name}\""

  by_service = ["resource.label.\"service_name\""]

  # title, filter, per-series aligner, cross-series reducer, group-by fields, y axis label.
  charts = concat(
    [
      { title = "Requests per second by service", filter = "${local.run} metric.type=\"run.googleapis.com/request_count\"", aligner = "ALIGN_RATE", reducer = "REDUCE_SUM", group_by = local.by_service, unit = "req/s" },
      { title = "Latency p50 by service", filter = "${local.run} metric.type=\"run.googleapis.com/request_latencies\"", aligner = "ALIGN_DELTA", reducer = "REDUCE_PERCENTILE_50", group_by = local.by_service, unit = "ms" },
      { title = "Latency p95 by service", filter = "${local.run} metric.type=\"run.googleapis.com/request_latencies\"", aligner = "ALIGN_DELTA", reducer = "REDUCE_PERCENTILE_95", group_by = local.by_service, unit = "ms" },
      { title = "5xx responses per second by service", filter = "${local.run} metric.type=\"run.googleapis.com/request_count\" metric.label.\"response_code_class\"=\"5xx\"", aligner = "ALIGN_RATE", reducer = "REDUCE_SUM", group_by = local.by_service, unit = "req/s" },
      { title = "Instances by service", filter = "${local.run} metric.type=\"run.googleapis.com/container/instance_count\"", aligner = "ALIGN_MAX", reducer = "REDUCE_SUM", group_by = local.by_service, unit = "instances" },
      { title = "CPU utilization p95 by service", filter = "${local.run} metric.type=\"run.googleapis.com/container/cpu/utilizations\"", aligner = "ALIGN_DELTA", reducer = "REDUCE_PERCENTILE_95", group_by = local.by_service, unit = "ratio" },
      { title = "Memory utilization p95 by service", filter = "${local.run} metric.type=\"run.googleapis.com/container/memory/utilizations\"", aligner = "ALIGN_DELTA", reducer = "REDUCE_PERCENTILE_95", group_by = local.by_service, unit = "ratio" },
      { title = "Cloud SQL CPU utilization", filter = "${local.sql} metric.type=\"cloudsql.googleapis.com/database/cpu/utilization\"", aligner = "ALIGN_MEAN", reducer = "REDUCE_MAX", group_by = [], unit = "ratio" },
      { title = "Cloud SQL connections", filter = "${local.sql} metric.type=\"cloudsql.googleapis.com/database/postgresql/num_backends\"", aligner = "ALIGN_MEAN", reducer = "REDUCE_SUM", group_by = [], unit = "connections" },
      { title = "Cloud SQL disk utilization", filter = "${local.sql} metric.type=\"cloudsql.googleapis.com/database/disk/utilization\"", aligner = "ALIGN_MEAN", reducer = "REDUCE_MAX", group_by = [], unit = "ratio" },
    ],
    local.redis == null ? [] : [
      { title = "Redis memory usage ratio", filter = "${local.redis} metric.type=\"redis.googleapis.com/stats/memory/usage_ratio\"", aligner = "ALIGN_MEAN", reducer = "REDUCE_MAX", group_by = [], unit = "ratio" },
      { title = "Redis cache hit ratio", filter = "${local.redis} metric.type=\"redis.googleapis.com/stats/cache_hit_ratio\"", aligner = "ALIGN_MEAN", reducer = "REDUCE_MEAN", group_by = [], unit = "ratio" },
    ],
    [
      { title = "Load balancer requests per second by response class", filter = "${local.lb} metric.type=\"loadbalancing.googleapis.com/https/request_count\"", aligner = "ALIGN_RATE", reducer = "REDUCE_SUM", group_by = ["metric.label.\"response_code_class\""], unit = "req/s" },
    ],
    local.armor == null ? [] : [
      { title = "Cloud Armor blocked requests per second", filter = "${local.armor} metric.type=\"networksecurity.googleapis.com/https/request_count\" metric.label.\"blocked\"=\"true\"", aligner = "ALIGN_RATE", reducer = "REDUCE_SUM", group_by = [], unit = "req/s" },
    ],
  )

  widgets = [for c in local.charts : {
    title = c.title
    xyChart = {
      dataSets = [{
        plotType = "LINE"
        timeSeriesQuery = {
          timeSeriesFilter = {
            filter = c.filter
            aggregation = {
              alignmentPeriod    = "60s"
              perSeriesAligner   = c.aligner
              crossSeriesReducer = c.reducer
              groupByFields      = c.group_by
            }
          }
        }
      }]
      yAxis = { label = c.unit, scale = "LINEAR" }
    }
  }]
}

resource "google_monitoring_dashboard" "this" {
  project = var.project_id
  dashboard_json = jsonencode({
    displayName = var.display_name
    gridLayout  = { columns = 2, widgets = local.widgets }
  })
}
