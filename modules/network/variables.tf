variable "project_id" {
  description = "Project that owns the network."
  type        = string
  nullable    = false
}

variable "region" {
  description = "Region of the subnets, router and NAT."
  type        = string
  nullable    = false
}

variable "name_prefix" {
  description = "Prefix of every resource name (\"<prefix>-vpc\", \"<prefix>-main\", …)."
  type        = string
  nullable    = false

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,15}$", var.name_prefix))
    error_message = "name_prefix must start with a letter and use at most 16 lowercase letters, digits or hyphens."
  }
}

variable "settings" {
  description = "Address ranges and logging: subnet_cidr (workload subnet; with Direct VPC egress Cloud Run takes its instances' addresses from it in /28 blocks, so /26 or larger), connector_cidr (the /28 reserved for the Serverless VPC Access connector), psa_address (first address of the Private Service Access range; null lets Google pick), psa_prefix_length (size of that range, shared by Cloud SQL and Memorystore), flow_log_sampling (share of VPC flows written to flow logs, billed by volume)."
  type = object({
    subnet_cidr       = optional(string, "10.10.0.0/24")
    connector_cidr    = optional(string, "10.8.0.0/28")
    psa_address       = optional(string)
    psa_prefix_length = optional(number, 20)
    flow_log_sampling = optional(number, 0.5)
  })
  default  = {}
  nullable = false

  validation {
    condition     = can(cidrhost(var.settings.subnet_cidr, 0))
    error_message = "settings.subnet_cidr must be a CIDR range such as 10.10.0.0/24."
  }

  validation {
    condition     = !can(cidrhost(var.settings.subnet_cidr, 0)) || try(tonumber(split("/", var.settings.subnet_cidr)[1]) <= 26, false)
    error_message = "settings.subnet_cidr must be a /26 or larger (e.g. 10.10.0.0/24): Direct VPC egress reserves Cloud Run addresses from it in blocks of 16, a few per instance."
  }

  validation {
    condition     = can(cidrhost(var.settings.connector_cidr, 0)) && endswith(var.settings.connector_cidr, "/28")
    error_message = "settings.connector_cidr must be a /28 range, e.g. 10.8.0.0/28 (the connector requires exactly /28)."
  }

  validation {
    condition     = var.settings.psa_prefix_length >= 16 && var.settings.psa_prefix_length <= 24
    error_message = "settings.psa_prefix_length must be between 16 and 24."
  }

  validation {
    condition     = var.settings.flow_log_sampling > 0 && var.settings.flow_log_sampling <= 1
    error_message = "settings.flow_log_sampling must be greater than 0 and at most 1."
  }
}
