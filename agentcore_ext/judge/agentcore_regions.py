"""Where Amazon Bedrock AgentCore Runtime is offered: a dated table, so a well-formed but wrong region (`us-east-7`)
or one AgentCore does not serve yet is a warning before any role is made for it.

Source: AWS Regional Services list and the AgentCore developer guide's "Supported AWS Regions", as of TABLE_DATE.
The list grows; a region missing here is a warning, never a refusal.
"""

from __future__ import annotations

TABLE_DATE = "2026-11"

RUNTIME_REGIONS = frozenset(
    {
        "us-east-1",
        "us-east-2",
        "us-west-2",
        "ca-central-1",
        "sa-east-1",
        "eu-central-1",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
        "eu-north-1",
        "ap-south-1",
        "ap-southeast-1",
        "ap-southeast-2",
        "ap-northeast-1",
        "ap-northeast-2",
    }
)


def offered(region: str) -> bool:
    return region in RUNTIME_REGIONS
