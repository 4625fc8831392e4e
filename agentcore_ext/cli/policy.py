"""`policy trust|permissions|caller`: print the documents the tool would use, for administrators."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from agentcore_ext.cli import options as o
from agentcore_ext.cli.run import resolve_region
from agentcore_ext.errors import AgentCoreExtError, UsageError

if TYPE_CHECKING:
    from agentcore_ext.settings import Settings

app = typer.Typer(
    help="Print the trust, permissions or caller policy the tool would use.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _emit(
    kind: str,
    *,
    entrypoint: str | None,
    name: str | None,
    role_name: str | None,
    role_path: str | None,
    boundary: str | None,
    tags: list[str] | None,
    deployment_type: str | None,
    disable_memory: bool,
    protocol: str | None,
    region: str | None,
    profile: str | None,
    account: str | None,
    fmt: str,
    model: list[str] | None = None,
    feature: list[str] | None = None,
    additional_policy: list[str] | None = None,
    config: str | None = None,
    with_codebuild: bool = False,
    env: list[str] | None = None,
    env_file: str | None = None,
) -> None:
    from pathlib import Path

    from agentcore_ext import arns
    from agentcore_ext.cli import formats, render
    from agentcore_ext.flows.policy import STACK_ROLES, caller_scope, policy_document
    from agentcore_ext.judge.caller_policy import escalation_note
    from agentcore_ext.judge.requirements import TOOL_POLICY_NAME
    from agentcore_ext.settings import build_settings, load_team_defaults

    try:
        if fmt not in formats.FORMATS:
            raise UsageError(f"unknown --format {fmt!r}", f"choose one of {', '.join(formats.FORMATS)}")
        s = build_settings(
            defaults=load_team_defaults(Path.cwd()),
            entrypoint=entrypoint,
            name=name,
            role_name=role_name,
            role_path=role_path,
            permissions_boundary=boundary,
            tags=tags,
            deployment_type=deployment_type,
            disable_memory=disable_memory,
            protocol=protocol,
            region=resolve_region(region),
            profile=profile,
            account=account,
            model=model,
            feature=feature,
            additional_policy=additional_policy,
            config=config,
            env=env,
            env_file=env_file,
            workdir=str(Path.cwd()),
        )
        if with_codebuild and (kind not in ("trust", "permissions") or fmt == "json"):
            raise UsageError(
                "--with-codebuild adds the CodeBuild role to the execution role's template",
                "use it with `policy trust` or `policy permissions` and --format cloudformation or terraform",
            )
        if kind in STACK_ROLES and fmt != "json":  # one stack: the role with its trust and its permissions
            render.out(_stack(kind, s, fmt, with_codebuild))
            _unread_notes(s, "attached in the template")
            return
        doc, s = policy_document(kind, s)
        assert s.region is not None
        note = escalation_note(caller_scope(s)) if kind == "caller" else None
        if note:
            render.err(f"warning: {note}")
        if kind == "permissions":  # a managed policy is no part of a permissions document: said beside it
            _unread_notes(s, "to be attached to the role besides this document")
        meta = formats.RoleMeta(
            role_name=s.role_name or arns.default_role_name(s.region, s.agent_name or "agent", s.role_name_template),
            role_path=s.role_path,
            boundary=s.permissions_boundary,
            tags=s.role_tags(),
            policy_name=TOOL_POLICY_NAME,
            note=note or "",
        )
        render.out(formats.render(kind, doc, fmt, meta))
    except AgentCoreExtError as exc:
        render.error(exc)
        raise typer.Exit(exc.exit_code) from None


WithCodeBuild = Annotated[
    bool,
    typer.Option(
        "--with-codebuild",
        help="With trust|permissions and --format cloudformation|terraform: the CodeBuild role too, in the same stack.",
    ),
]


def _stack(kind: str, settings: Settings, fmt: str, with_codebuild: bool) -> str:
    """The roles of `kind` (and the CodeBuild role, when asked), each with its trust and permissions: one template."""
    from agentcore_ext import arns
    from agentcore_ext.cli import formats
    from agentcore_ext.flows.policy import STACK_ROLES, role_documents
    from agentcore_ext.judge.codebuild_role import default_codebuild_role_name
    from agentcore_ext.judge.requirements import TOOL_POLICY_NAME
    from agentcore_ext.plan.kinds import CODEBUILD_POLICY_NAME

    keys = STACK_ROLES[kind] + (("codebuild",) if with_codebuild else ())
    documents, s = role_documents(keys, settings)
    assert s.region is not None
    agent = s.agent_name or "agent"
    names = {
        "execution": (s.role_name or arns.default_role_name(s.region, agent, s.role_name_template), TOOL_POLICY_NAME),
        "codebuild": (default_codebuild_role_name(s.region, agent), CODEBUILD_POLICY_NAME),
    }
    roles = [
        formats.StackRole(
            key,
            formats.RoleMeta(
                role_name=names[key][0],
                role_path=s.role_path,
                boundary=s.permissions_boundary,
                tags=s.role_tags(),
                policy_name=names[key][1],
            ),
            *documents[key],
            managed_arns(s) if key == "execution" else (),
        )
        for key in keys
    ]
    return formats.render_stack(roles, fmt)


def managed_arns(settings: Settings) -> tuple[str, ...]:
    """The --additional-policy ARNs (team defaults included): attached to the execution role, as given."""
    return tuple(a for a in settings.additional_policies if a.startswith("arn:"))


def _unread_notes(settings: Settings, where: str) -> None:
    """`policy` reads no managed policy (offline): what an ARN grants is judged by doctor, not here."""
    from agentcore_ext.cli import render

    for arn in managed_arns(settings):
        render.err(
            f"note: managed policy {arn} (--additional-policy) is {where}; its document was not read here: "
            "`agentcore-ext doctor` reads and judges it (or pass its document as --additional-policy FILE)"
        )


def _register(kind: str, doc: str) -> None:
    def command(
        entrypoint: o.Entrypoint = None,
        name: o.Name = None,
        role_name: o.RoleName = None,
        role_path: o.RolePath = None,
        permissions_boundary: o.Boundary = None,
        tag: o.Tags = None,
        deployment_type: o.DeploymentType = None,
        disable_memory: o.DisableMemory = False,
        protocol: o.Protocol = None,
        region: o.Region = None,
        profile: o.Profile = None,
        account: o.Account = None,
        fmt: o.Format = "json",
        model: o.Model = None,
        feature: o.Feature = None,
        additional_policy: o.AdditionalPolicy = None,
        config: o.Config = None,
        env: o.Env = None,
        env_file: o.EnvFile = None,
        with_codebuild: WithCodeBuild = False,
    ) -> None:
        _emit(
            kind,
            entrypoint=entrypoint,
            name=name,
            role_name=role_name,
            role_path=role_path,
            boundary=permissions_boundary,
            tags=tag,
            deployment_type=deployment_type,
            disable_memory=disable_memory,
            protocol=protocol,
            region=region,
            profile=profile,
            account=account,
            fmt=fmt,
            model=model,
            feature=feature,
            additional_policy=additional_policy,
            config=config,
            with_codebuild=with_codebuild,
            env=env,
            env_file=env_file,
        )

    command.__doc__ = doc
    app.command(kind)(command)


_register("trust", "The execution role's trust policy (AgentCore may assume it, for this agent only).")
_register("permissions", "The execution role's least-privilege permissions policy for this agent.")
_register("codebuild-trust", "The CodeBuild role's trust policy (CodeBuild may assume it for this agent's project).")
_register("codebuild-permissions", "The CodeBuild role's permissions: ECR push on the agent's repository, logs, source")
_register("caller", "What a developer needs: PassRole and role management on the tool's role names, plus reads.")
