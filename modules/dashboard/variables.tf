variable "project_id" {
  description = "Project whose metrics the dashboard shows (and that holds it)."
  type        = string
  nullable    = false
}

variable "display_name" {
  description = "Dashboard title, such as \"pv: growth\"."
  type        = string
  nullable    = false

  validation {
    condition     = length(var.display_name) >= 1 && length(var.display_name) <= 512
    error_message = "display_name must be 1 to 512 characters."
  }
}

variable "service_names" {
  description = "Cloud Run services charted (one line per service in each service chart)."
  type        = list(string)
  nullable    = false

  validation {
    condition     = length(var.service_names) >= 1
    error_message = "service_names must list at least one service."
  }
}

variable "sources" {
  description = "What else the dashboard charts: database_instance (Cloud SQL instance name: CPU, connections, disk), redis_instance (Memorystore instance name, null = no cache charts; with redis_region its region), url_map_name (the HTTPS load balancer's URL map: requests by response class) and armor_policy_name (Cloud Armor policy: blocked requests; null = no Armor chart)."
  type = object({
    database_instance = string
    redis_instance    = optional(string)
    redis_region      = optional(string)
    url_map_name      = string
    armor_policy_name = optional(string)
  })
  nullable = false

  validation {
    condition     = var.sources.redis_instance == null || var.sources.redis_region != null
    error_message = "sources.redis_region is required with sources.redis_instance (the instance id names its region)."
  }
}
