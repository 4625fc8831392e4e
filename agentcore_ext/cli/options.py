"""Shared CLI options (Annotated aliases) so every command spells a flag the same way."""

from __future__ import annotations

from typing import Annotated

import typer

Entrypoint = Annotated[str | None, typer.Option("--entrypoint", "-e", help="The agent's entrypoint file.")]
Name = Annotated[
    str | None,
    typer.Option(
        "--name",
        "-n",
        help="Agent name (default: the entrypoint's path relative to the working directory, without .py, with "
        "space, - and / made _: src/agent.py -> src_agent, as the toolkit does).",
    ),
]
ExecutionRole = Annotated[
    str | None, typer.Option("--execution-role", "-er", help="Use this role (ARN, or name resolved through IAM).")
]
RoleName = Annotated[
    str | None,
    typer.Option("--role-name", help="Role to find or create (default BedrockAgentCoreRuntime-{region}-{agent})."),
]
RolePath = Annotated[str | None, typer.Option("--role-path", help="IAM path for a created role, e.g. /agents/.")]
Boundary = Annotated[
    str | None, typer.Option("--permissions-boundary", help="Managed policy ARN to set as the role's boundary.")
]
Tags = Annotated[list[str] | None, typer.Option("--tag", help="KEY=VALUE tag for a created role (repeatable).")]
DeploymentType = Annotated[
    str | None, typer.Option("--deployment-type", "-dt", help="container (default) or direct_code_deploy.")
]
DisableMemory = Annotated[bool, typer.Option("--disable-memory", "-dm", help="The agent uses no AgentCore memory.")]
Protocol = Annotated[str | None, typer.Option("--protocol", "-p", help="HTTP (default), MCP, A2A or AGUI.")]
Region = Annotated[str | None, typer.Option("--region", "-r", help="AWS region (default: profile/environment).")]
Profile = Annotated[str | None, typer.Option("--profile", help="AWS profile to use.")]
Account = Annotated[str | None, typer.Option("--account", help="Account id (default: from your credentials).")]
AccountRequired = Annotated[
    str | None, typer.Option("--account", help="The 12-digit account the role lives in (required).")
]
CheckRoleName = Annotated[
    str | None,
    typer.Option(
        "--role-name", help="Role to check (default BedrockAgentCoreRuntime-{region}-{agent}); never created."
    ),
]
Fix = Annotated[bool, typer.Option("--fix", help="Repair a non-compliant role (a plan is shown first).")]
NoCreate = Annotated[bool, typer.Option("--no-create", help="Never create a role; fail if none is found.")]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Show the plan; change nothing.")]
Yes = Annotated[bool, typer.Option("--yes", "-y", help="Apply the plan without asking.")]
Json = Annotated[bool, typer.Option("--json", help="Print the JSON report on stdout (human text on stderr).")]
Sandbox = Annotated[bool, typer.Option("--sandbox", help="Run against an embedded local AWS (moto); no AWS account.")]
Force = Annotated[bool, typer.Option("--force", help="Proceed past a PassRole denial.")]
Format = Annotated[str, typer.Option("--format", help="json, cloudformation or terraform.")]
Model = Annotated[
    list[str] | None,
    typer.Option("--model", help="A model the agent calls: id, inference profile id or ARN (repeatable)."),
]
Feature = Annotated[
    list[str] | None,
    typer.Option(
        "--feature",
        help="What the code scan cannot see (repeatable): code-interpreter, browser, identity-api-key, "
        "identity-oauth, gateway, guardrail, invoke-runtime.",
    ),
]
AdditionalPolicy = Annotated[
    list[str] | None,
    typer.Option("--additional-policy", help="The agent's own grants: a policy JSON file or a managed policy ARN."),
]
Config = Annotated[
    str | None,
    typer.Option("--config", help="The toolkit's .bedrock_agentcore.yaml (default: ./.bedrock_agentcore.yaml)."),
]
ShowDocuments = Annotated[
    bool, typer.Option("--show-documents", help="Show the plan's full before/after documents, not its overview.")
]
Template = Annotated[
    str | None,
    typer.Option(
        "--template",
        help="A CloudFormation template, JSON or YAML (`cdk synth` output is one): the agent's runtime and its role "
        "are read from it; -n picks a runtime by logical id or AgentRuntimeName.",
    ),
]
Env = Annotated[
    list[str] | None,
    typer.Option(
        "--env",
        help="KEY=VALUE: an environment variable the agent runs with, as `agentcore deploy --env` or its stack sets "
        "it (repeatable): the code scan resolves os.environ reads with it (model, memory, guardrail, tool ids).",
    ),
]
EnvFile = Annotated[
    str | None,
    typer.Option("--env-file", help="A dotenv file of the agent's environment variables (--env wins over it)."),
]
