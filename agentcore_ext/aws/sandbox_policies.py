"""The sandbox developer's deploy permissions: what `agentcore deploy` needs besides PassRole. Pure data."""

from __future__ import annotations

from typing import Any

DEMO_ACCOUNT = "123456789012"  # moto's default account


def deploy_document(account: str = DEMO_ACCOUNT) -> dict[str, Any]:
    """What `agentcore deploy` needs besides PassRole, on the toolkit's bedrock-agentcore-* resource names."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "PushAgentImages",
                "Effect": "Allow",
                "Action": [
                    "ecr:CreateRepository",
                    "ecr:InitiateLayerUpload",
                    "ecr:UploadLayerPart",
                    "ecr:CompleteLayerUpload",
                    "ecr:PutImage",
                    "ecr:BatchCheckLayerAvailability",
                ],
                "Resource": f"arn:aws:ecr:*:{account}:repository/bedrock-agentcore-*",
            },
            {"Sid": "EcrLogin", "Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
            {
                "Sid": "BuildAgentImages",
                "Effect": "Allow",
                "Action": [
                    "codebuild:CreateProject",
                    "codebuild:UpdateProject",
                    "codebuild:StartBuild",
                    "codebuild:BatchGetBuilds",
                ],
                "Resource": f"arn:aws:codebuild:*:{account}:project/bedrock-agentcore-*",
            },
            {
                "Sid": "UploadSources",
                "Effect": "Allow",
                "Action": [
                    "s3:CreateBucket",
                    "s3:ListBucket",
                    "s3:PutLifecycleConfiguration",
                    "s3:PutObject",
                    "s3:GetObject",
                ],
                "Resource": ["arn:aws:s3:::bedrock-agentcore-*", "arn:aws:s3:::bedrock-agentcore-*/*"],
            },
            {
                # The CodeBuild role the toolkit creates for a container deploy (AmazonBedrockAgentCoreSDKCodeBuild-
                # {region}-{hash}), so that `deploy --sandbox` passes the deploy guard as a developer would.
                "Sid": "ToolkitCodeBuildRole",
                "Effect": "Allow",
                "Action": ["iam:GetRole", "iam:CreateRole", "iam:PutRolePolicy"],
                "Resource": f"arn:aws:iam::{account}:role/AmazonBedrockAgentCoreSDKCodeBuild-*",
            },
            {
                "Sid": "PassToolkitCodeBuildRole",
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": f"arn:aws:iam::{account}:role/AmazonBedrockAgentCoreSDKCodeBuild-*",
                "Condition": {"StringEquals": {"iam:PassedToService": "codebuild.amazonaws.com"}},
            },
        ],
    }
