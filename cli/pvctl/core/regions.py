"""Regions where Cloud Run services can run.

Source: https://cloud.google.com/run/docs/locations (tier 1 and tier 2 lists), read
2026-11. Google adds regions now and then; a region missing here is a one-line
addition to this tuple.
"""

CLOUD_RUN_REGIONS: tuple[str, ...] = (
    # tier 1 pricing
    "asia-east1", "asia-northeast1", "asia-northeast2", "europe-north1", "europe-southwest1",
    "europe-west1", "europe-west4", "europe-west8", "europe-west9", "me-west1", "us-central1",
    "us-east1", "us-east4", "us-east5", "us-south1", "us-west1",
    # tier 2 pricing
    "africa-south1", "asia-east2", "asia-northeast3", "asia-southeast1", "asia-southeast2",
    "asia-south1", "asia-south2", "australia-southeast1", "australia-southeast2",
    "europe-central2", "europe-west10", "europe-west12", "europe-west2", "europe-west3",
    "europe-west6", "me-central1", "me-central2", "northamerica-northeast1",
    "northamerica-northeast2", "southamerica-east1", "southamerica-west1", "us-west2",
    "us-west3", "us-west4",
)
