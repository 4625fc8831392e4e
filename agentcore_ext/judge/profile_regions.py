"""Where Bedrock's cross-region inference profiles send requests, by profile prefix: the table used when
bedrock:GetInferenceProfile cannot be asked (offline `validate`, no permission, an emulator).

Source: Amazon Bedrock User Guide, "Supported Regions and models for inference profiles" (geographic
profiles), as of TABLE_DATE. A profile's destinations can grow; GetInferenceProfile is the authority, and a run
that used this table says so in an info finding (PROFILE_REGIONS_FROM_TABLE).
"""

from __future__ import annotations

TABLE_DATE = "2026-11"

DESTINATIONS: dict[str, tuple[str, ...]] = {
    "us": ("us-east-1", "us-east-2", "us-west-1", "us-west-2"),
    "us-gov": ("us-gov-east-1", "us-gov-west-1"),
    "eu": ("eu-central-1", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-3"),
    "apac": (
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-northeast-3",
        "ap-south-1",
        "ap-south-2",
        "ap-southeast-1",
        "ap-southeast-2",
        "ap-southeast-4",
    ),
    "jp": ("ap-northeast-1", "ap-northeast-3"),
    "au": ("ap-southeast-2", "ap-southeast-4"),
    "ca": ("ca-central-1", "ca-west-1"),
}
GEO_PREFIXES = tuple(sorted(DESTINATIONS, key=len, reverse=True))  # "us-gov" before "us"
