"""`doctor`: the checks of configure, read-only; with no role given, the role in .bedrock_agentcore.yaml."""

from __future__ import annotations

from agentcore_ext.cli import options as o
from agentcore_ext.cli import render
from agentcore_ext.cli.context import settings_from_flags
from agentcore_ext.cli.run import run
from agentcore_ext.report import Report


def doctor(
    entrypoint: o.Entrypoint = None,
    name: o.Name = None,
    execution_role: o.ExecutionRole = None,
    role_name: o.CheckRoleName = None,
    deployment_type: o.DeploymentType = None,
    disable_memory: o.DisableMemory = False,
    protocol: o.Protocol = None,
    region: o.Region = None,
    profile: o.Profile = None,
    model: o.Model = None,
    feature: o.Feature = None,
    additional_policy: o.AdditionalPolicy = None,
    config: o.Config = None,
    env: o.Env = None,
    env_file: o.EnvFile = None,
    show_documents: o.ShowDocuments = False,
    json_out: o.Json = False,
    sandbox: o.Sandbox = False,
) -> None:
    """Read-only: judge the caller, its iam:PassRole and the execution role (default: the configured one)."""
    flags = dict(locals())  # the flags above, for _settings; taken before body joins the locals

    def body(report: Report) -> int:
        from agentcore_ext.flows.doctor import doctor as doctor_flow
        from agentcore_ext.flows.sandboxed import maybe_sandbox

        s = settings_from_flags(**flags)
        with maybe_sandbox(s, report, render.err) as s:
            return doctor_flow(s, report)

    run("doctor", json_out, body)
