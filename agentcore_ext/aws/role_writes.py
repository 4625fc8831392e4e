"""The gateway's role writes (CreateRole, PutRolePolicy, AttachRolePolicy, UpdateAssumeRolePolicy, TagRole), mixed
into Gateway.

Only aws/apply.py calls them, through the gateway, so every write is counted and mapped like any request.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from contextlib import AbstractContextManager
from typing import Any, Protocol

from agentcore_ext.aws.shapes import RoleInfo, create_role_params, role_info, tag_list


class _Writer(Protocol):
    """What the writes need of the gateway: its IAM client and its error mapping."""

    @property
    def iam(self) -> Any: ...

    def _errors(self, operation: str) -> AbstractContextManager[None]: ...


class RoleWrites:
    def create_role(
        self: _Writer,
        name: str,
        path: str,
        trust_document: Mapping[str, Any],
        description: str,
        boundary_arn: str | None,
        tags: Mapping[str, str],
    ) -> RoleInfo:
        params = create_role_params(name, path, trust_document, description, boundary_arn, tags)
        with self._errors("iam:CreateRole"):
            role = self.iam.create_role(**params)["Role"]
        return role_info(role)

    def put_role_policy(self: _Writer, role: str, policy_name: str, document: Mapping[str, Any]) -> None:
        with self._errors("iam:PutRolePolicy"):
            self.iam.put_role_policy(RoleName=role, PolicyName=policy_name, PolicyDocument=json.dumps(document))

    def attach_role_policy(self: _Writer, role: str, policy_arn: str) -> None:
        with self._errors("iam:AttachRolePolicy"):
            self.iam.attach_role_policy(RoleName=role, PolicyArn=policy_arn)

    def update_assume_role_policy(self: _Writer, role: str, document: Mapping[str, Any]) -> None:
        with self._errors("iam:UpdateAssumeRolePolicy"):
            self.iam.update_assume_role_policy(RoleName=role, PolicyDocument=json.dumps(document))

    def tag_role(self: _Writer, role: str, tags: Mapping[str, str]) -> None:
        with self._errors("iam:TagRole"):
            self.iam.tag_role(RoleName=role, Tags=tag_list(tags))
