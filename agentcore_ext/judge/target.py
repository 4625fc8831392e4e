"""Which execution role a run is about: flags and the caller's account in, a validated target out. Pure.

Every rule (name, path, account, reserved paths) is checked here, before any AWS call.
"""

from __future__ import annotations

from agentcore_ext import arns
from agentcore_ext.errors import UsageError
from agentcore_ext.settings import Settings, check_role_path
from agentcore_ext.state import RoleTarget, TargetSource


def resolve_role(settings: Settings, *, account: str, partition: str, region: str) -> RoleTarget:
    """--execution-role ARN|NAME, else --role-name, else the default name; every rule checked before any call."""
    arns.validate_account(account)
    create_path = check_role_path(settings.role_path or "/")
    if settings.execution_role:
        ref = arns.parse_role_ref(settings.execution_role, account=account, partition=partition, region=region)
        return RoleTarget(ref.name, ref.path, account, partition, TargetSource.EXECUTION_ROLE, create_path)
    if settings.role_name:
        name = arns.validate_role_name(settings.role_name)
        return RoleTarget(name, None, account, partition, TargetSource.ROLE_NAME, create_path)
    if not settings.agent_name:
        raise UsageError("no agent name to derive the role name from", "pass --entrypoint FILE or --name AGENT")
    arns.validate_region(region)
    name = arns.default_role_name(region, settings.agent_name, settings.role_name_template)
    try:
        arns.validate_role_name(name)
    except UsageError as exc:
        raise UsageError(
            f"the role-name template {settings.role_name_template!r} gives an invalid name: {exc.message}",
            "fix role-name-template in [tool.agentcore-ext] or pass --role-name",
        ) from exc
    return RoleTarget(name, None, account, partition, TargetSource.DEFAULT, create_path)
