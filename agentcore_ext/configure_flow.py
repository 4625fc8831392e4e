"""The configure flow: the checks and the role of `role ensure`, then `agentcore configure` with the checked ARN.

Like the flows in service.py, it fills a Report, returns an exit code and prints nothing itself.
"""

from __future__ import annotations

from pathlib import Path

from agentcore_ext.errors import EXIT_CHECKS_FAILED, UsageError
from agentcore_ext.findings import Finding, Severity, has_errors
from agentcore_ext.report import Report
from agentcore_ext.service import Confirm, Progress, ensure
from agentcore_ext.settings import Settings


def ecr_repository_name(value: str) -> str:
    """`--ecr` takes a repository name or URI (ACCOUNT.dkr.ecr.REGION.amazonaws.com/name[:tag])."""
    name = value.split("/", 1)[1] if ".dkr.ecr." in value and "/" in value else value
    return name.split(":", 1)[0].split("@", 1)[0]


def check_entrypoint(entrypoint: str | None, workdir: Path) -> str:
    """The entrypoint as the toolkit needs it: an existing file inside the working directory (relative path)."""
    if not entrypoint:
        raise UsageError("configure needs the agent's entrypoint", "pass --entrypoint my_agent.py")
    path = (workdir / entrypoint).resolve()
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
    from agentcore_ext import toolkit

    workdir = Path(settings.workdir)
    entrypoint = check_entrypoint(settings.entrypoint, workdir)
    toolkit.require_toolkit()  # exit 5 before any AWS change, not after
    # Refuse `-- --execution-role ...` and friends before anything happens; a custom ECR repository given
    # to the toolkit is one the role must be able to pull from, so it is judged for that repository.
    overrides = toolkit.configure_overrides(settings.toolkit_args)
    if overrides.get("ecr_repository"):
        settings = settings.with_(ecr_repository=ecr_repository_name(str(overrides["ecr_repository"])))
    s, outcome = ensure(settings, report, confirm, progress)
    if has_errors(report.findings) or settings.dry_run:
        report.configure = {"ran": False, "exit_code": None, "argv": []}
        return EXIT_CHECKS_FAILED if has_errors(report.findings) else 0
    argv = toolkit.build_configure_argv(
        entrypoint,
        s.spec.agent,
        outcome.arn,
        s.spec.region,
        s.spec.deployment_type,
        not s.spec.memory,
        s.spec.protocol,
        not interactive or settings.yes,
        settings.toolkit_args,
    )
    progress(f"running: agentcore {' '.join(argv)}")
    # The toolkit builds its own boto3 session: hand it the same profile our checks used.
    env = {"AWS_PROFILE": settings.profile} if settings.profile else None
    code = toolkit.run_toolkit(argv, workdir, env=env, region=s.spec.region, stdout_to_stderr=settings.json)
    report.configure = {"ran": True, "exit_code": code, "argv": ["agentcore", *argv]}
    if code != 0:
        report.add(
            [
                Finding(
                    "TOOLKIT_CONFIGURE_FAILED",
                    Severity.ERROR,
                    f"agentcore configure exited {code}",
                    "see the toolkit's output above; the execution role is ready and will be reused",
                )
            ]
        )
        return code
    _, configured = toolkit.read_configured_role(workdir, s.spec.agent)
    if configured != outcome.arn:
        report.add(
            [
                Finding(
                    "CONFIGURED_ROLE_MISMATCH",
                    Severity.ERROR,
                    f".bedrock_agentcore.yaml records execution role {configured!r}, not {outcome.arn}",
                    "rerun agentcore-ext configure; do not edit the file's execution_role by hand",
                )
            ]
        )
        return EXIT_CHECKS_FAILED
    return 0
