variable "project_id" {
  description = "Project that owns the network."
  type        = string
}

variable "region" {
  description = "Region of the subnets, router and NAT."
  type        = string
}

variable "name_prefix" {
  description = "Prefix of every resource name (\"<prefix>-vpc\", \"<prefix>-main\", …)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,15}$", var.name_prefix))
    error_message = "name_prefix must start with a letter and use at most 16 lowercase letters, digits or hyphens."
  }
}

variable "subnet_cidr" {
  description = "Primary range of the workload subnet; with Direct VPC egress Cloud Run takes its instances' addresses from it (in /28 blocks), so keep it at /26 or larger (the default /24 has 252 usable addresses)."
  type        = string
  default     = "10.10.0.0/24"

  validation {
    condition     = can(cidrhost(var.subnet_cidr, 0))
    error_message = "subnet_cidr must be a CIDR range such as 10.10.0.0/24."
  }

  validation {
    condition     = !can(cidrhost(var.subnet_cidr, 0)) || try(tonumber(split("/", var.subnet_cidr)[1]) <= 26, false)
    error_message = "subnet_cidr must be a /26 or larger (e.g. 10.10.0.0/24): Direct VPC egress reserves Cloud Run addresses from it in blocks of 16, a few per instance."
  }
}

variable "connector_cidr" {
  description = "The /28 range reserved for the Serverless VPC Access connector."
  type        = string
  default     = "10.8.0.0/28"

  validation {
    condition     = can(cidrhost(var.connector_cidr, 0)) && endswith(var.connector_cidr, "/28")
    error_message = "connector_cidr must be a /28 range, e.g. 10.8.0.0/28 (the connector requires exactly /28)."
  }
}

variable "psa_address" {
  description = "First address of the Private Service Access range (null lets Google pick one)."
  type        = string
  default     = null
}

variable "psa_prefix_length" {
  description = "Size of the Private Service Access range shared by Cloud SQL and Memorystore."
  type        = number
  default     = 20

  validation {
    condition     = var.psa_prefix_length >= 16 && var.psa_prefix_length <= 24
    error_message = "psa_prefix_length must be between 16 and 24."
  }
}

variable "flow_log_sampling" {
  description = "Share of VPC flows written to flow logs (0 to 1); logs are billed by volume."
  type        = number
  default     = 0.5

  validation {
    condition     = var.flow_log_sampling > 0 && var.flow_log_sampling <= 1
    error_message = "flow_log_sampling must be greater than 0 and at most 1."
  }
}
