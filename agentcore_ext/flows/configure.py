"""The configure flow: the checks and the role of `role ensure`, then `agentcore configure` with the checked ARN.

Like every flow, it fills a Report, returns an exit code and prints nothing itself.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from agentcore_ext import arns
from agentcore_ext.errors import EXIT_CHECKS_FAILED, EXIT_INTERRUPTED, EXIT_TOOLKIT_FAILED, UsageError
from agentcore_ext.findings import Code, Finding, has_errors
from agentcore_ext.flows import answers
from agentcore_ext.flows.ensure import ensure
from agentcore_ext.flows.session import Confirm, Progress
from agentcore_ext.report import ConfigureBlock, Report
from agentcore_ext.settings import Settings
from agentcore_ext.toolkit.argv import build_configure_argv, configure_overrides
from agentcore_ext.toolkit.config import CONFIG_FILE, AgentConfig, read_agent_config, read_configured_role
from agentcore_ext.toolkit.options import check_values
from agentcore_ext.toolkit.run import require_toolkit, run_toolkit


def check_entrypoint(entrypoint: str | None, workdir: Path) -> str:
    """The entrypoint as the toolkit needs it: an existing file inside the working directory (relative path)."""
    if not entrypoint:
        raise UsageError("configure needs the agent's entrypoint", "pass --entrypoint my_agent.py")
    try:
        path = (workdir / entrypoint).resolve()
        path.stat()
    except FileNotFoundError:
        pass  # said below, with the working directory
    except (RuntimeError, OSError) as exc:  # a symlink loop (RuntimeError before Python 3.13), no permission
        raise UsageError(
            f"entrypoint {entrypoint} cannot be resolved: {exc.__class__.__name__}: {exc}",
            "point --entrypoint at the agent's Python file itself (check for a symbolic link that points to itself)",
        ) from exc
    if not path.exists():
        raise UsageError(f"entrypoint not found: {entrypoint}", f"check the path; the working directory is {workdir}")
    if path.is_dir():
        raise UsageError(f"entrypoint {entrypoint} is a directory", "pass the agent's Python file, e.g. -e app.py")
    try:
        return str(path.relative_to(workdir.resolve()))
    except ValueError:
        raise UsageError(
            f"entrypoint {entrypoint} is outside the working directory {workdir}",
            "the toolkit packages the working directory: cd into the agent's project and run from there",
        ) from None


def configure(settings: Settings, report: Report, confirm: Confirm, progress: Progress, *, interactive: bool) -> int:
    """The drop-in for `agentcore configure`: checks, role, then the toolkit with the checked ARN."""
    workdir = Path(settings.workdir)
    entrypoint = check_entrypoint(settings.entrypoint, workdir)
    require_toolkit()  # exit 5 before any AWS change, not after
    # Refuse `-- --execution-role ...` and friends before anything happens; a custom ECR repository given
    # to the toolkit is one the role must be able to pull from, so it is judged for that repository.
    overrides = configure_overrides(settings.toolkit_args)  # strict: exit 2 on anything the toolkit rejects
    check_values(overrides, settings.deployment_type)
    if overrides.get("ecr_repository"):
        value = str(overrides["ecr_repository"])
        arns.parse_ecr_repository(value)  # refused before any AWS call: the role is scoped to this repository
        settings = settings.with_(ecr_repository=value)
    block = _configured_agent(settings, workdir, report)  # reads the YAML: an invalid one is exit 2 now
    if block is not None and has_errors(report.findings):
        report.configure = ConfigureBlock()
        return EXIT_CHECKS_FAILED  # nothing was read from AWS, nothing written
    kept = block.execution_role if block and not block.execution_role_auto_create else None
    if kept and not (settings.execution_role or settings.role_name):
        settings = settings.with_(execution_role=kept)  # the role the user chose stays the target
        report.add(
            [
                Finding(
                    Code.CONFIGURED_ROLE_KEPT,
                    f"checking the role already configured for {settings.agent_name}: {kept}",
                    "pass --execution-role or --role-name to use another role",
                )
            ]
        )
    s, outcome = ensure(settings, report, confirm, progress)
    if kept and kept != outcome.arn:
        report.add(
            [
                Finding(
                    Code.CONFIGURED_ROLE_REPLACED,
                    f"replacing configured role {kept} with {outcome.arn} in {CONFIG_FILE}",
                    "this is what --execution-role/--role-name asked for; the previous role is unchanged in IAM",
                )
            ]
        )
    if has_errors(report.findings) or settings.dry_run:
        report.configure = ConfigureBlock()
        return EXIT_CHECKS_FAILED if has_errors(report.findings) else 0
    argv = build_configure_argv(
        entrypoint,
        s.spec.agent,
        outcome.arn,
        s.spec.region,
        s.spec.deployment_type,
        not s.spec.memory,
        s.spec.protocol,
        not interactive,  # --yes confirms the IAM plan only; the toolkit's -ni is the user's to give
        settings.toolkit_args,
    )
    had_config = (workdir / CONFIG_FILE).is_file()
    _backup(workdir, report)
    before = answers.snapshot(workdir)
    progress(f"running: agentcore {' '.join(argv)}")
    # The toolkit builds its own boto3 session: hand it the same profile our checks used.
    env = {"AWS_PROFILE": settings.profile} if settings.profile else None
    lend = s.gateway.lend_session()  # the toolkit reuses our boto3 session and caller identity (in-process)
    code = run_toolkit(argv, workdir, env=env, region=s.spec.region, stdout_to_stderr=settings.json, session_scope=lend)
    report.configure = ConfigureBlock(True, code, ("agentcore", *argv))
    if code == EXIT_INTERRUPTED:
        report.add(
            [
                Finding(
                    Code.INTERRUPTED,
                    f"interrupted at the toolkit's prompt: {CONFIG_FILE} was not rewritten; the execution role "
                    f"{outcome.arn} is as the report's role block says",
                    "rerun the same command; the role is reused",
                )
            ]
        )
        return EXIT_INTERRUPTED
    if code != 0:
        report.add(
            [
                Finding(
                    Code.TOOLKIT_CONFIGURE_FAILED,
                    f"the starter toolkit failed: agentcore configure exited {code}",
                    "see the toolkit's output above; the execution role is ready and will be reused",
                )
            ]
        )
        return EXIT_TOOLKIT_FAILED
    if interactive and "--non-interactive" not in argv and not answers.judge_answers(settings, s.spec.agent, report):
        answers.restore(workdir, before, had_config)  # an answer typed at a toolkit prompt needs more than the role has
        report.add([answers.restored_finding()])
        return EXIT_CHECKS_FAILED
    _, configured = read_configured_role(workdir, s.spec.agent)
    if configured != outcome.arn:
        report.add(
            [
                Finding(
                    Code.CONFIGURED_ROLE_MISMATCH,
                    f".bedrock_agentcore.yaml records execution role {configured!r}, not {outcome.arn}",
                    "rerun agentcore-ext configure; do not edit the file's execution_role by hand",
                )
            ]
        )
        return EXIT_CHECKS_FAILED
    return 0


def _configured_agent(settings: Settings, workdir: Path, report: Report) -> AgentConfig | None:
    """This agent's block in .bedrock_agentcore.yaml (None when new). Adds TOOLKIT_OTHER_AGENT when the toolkit
    would ignore --name/--entrypoint: its configure_impl reuses the default agent's name and entrypoint whenever
    that agent has `is_generated_by_agentcore_create: true`, so another agent would get this agent's role.
    """
    path = Path(settings.config_file) if settings.config_file else None
    default = read_agent_config(workdir, None, path)
    if default is not None and default.generated_by_create and default.name != settings.agent_name:
        report.add(
            [
                Finding(
                    Code.TOOLKIT_OTHER_AGENT,
                    f"the toolkit would reconfigure agent {default.name} (the default agent, made by `agentcore "
                    f"create`), not {settings.agent_name}: it ignores --name and --entrypoint then; "
                    "nothing was changed",
                    f"configure {default.name} itself (-n {default.name}), or configure {settings.agent_name} "
                    "from its own project folder",
                )
            ]
        )
        return default
    return read_agent_config(workdir, settings.agent_name, path) if settings.agent_name else None


def _backup(workdir: Path, report: Report) -> None:
    """One generation of .bedrock_agentcore.yaml.bak, written just before the toolkit rewrites the file."""
    current = workdir / CONFIG_FILE
    if current.is_file():
        shutil.copy2(current, workdir / f"{CONFIG_FILE}.bak")
        report.add(
            [
                Finding(
                    Code.CONFIG_BACKED_UP,
                    f"{CONFIG_FILE} copied to {CONFIG_FILE}.bak before the toolkit rewrites it",
                    f"restore it with: cp {CONFIG_FILE}.bak {CONFIG_FILE}",
                )
            ]
        )
