"""pvctl: grow the Piloto de Vendas platform on Google Cloud phase by phase."""

__version__ = "0.1.0"

# The provider version the modules are written for and the offline stand-in mirrors.
GOOGLE_PROVIDER_VERSION = "8.7.0"
