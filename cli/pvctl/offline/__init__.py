"""Offline plans: a stand-in for registry.terraform.io/hashicorp/google built from the 8.7.0 schema.

`schema_build` rebuilds the schema from the cdktn bindings, `schema` loads it, `provider`
serves it to Terraform over plugin protocol 6 (`goplugin`: handshake and mTLS, `cty`:
value encoding, `planning`/`immutable`: plans, `sandbox`: values after a sandbox apply),
`wiring` points Terraform at it, `server` runs one for a whole pvctl run (reattached), and `validate` runs `terraform validate` everywhere.
"""
