# States written before these modules became optional hold them without an index; each
# block carries such a state's resources to the new address instead of replacing them.

# The connector was unconditional before connector.egress ("direct" removes it).
moved {
  from = module.connector
  to   = module.connector[0]
}

# Before the phases became one composition, each phase's root called the modules it had
# unconditionally; the modules only some phases have are now behind count.
moved {
  from = module.redis
  to   = module.redis[0]
}

moved {
  from = module.bff
  to   = module.bff[0]
}

moved {
  from = module.webhooks
  to   = module.webhooks[0]
}

moved {
  from = module.monitoring
  to   = module.monitoring[0]
}
