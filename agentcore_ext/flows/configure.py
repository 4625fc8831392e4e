"""The configure flow, a transaction: check the caller and PassRole for the planned role ARN (read-only), run
`agentcore configure` with that ARN, rebuild the agent profile from what it wrote, then judge, plan, confirm, apply
and verify the role; when that does not finish (declined, blocked, interrupted, AWS refused), the folder is put back
as it was (flows/transaction.py).

Like every flow, it fills a Report, returns an exit code and prints nothing itself.
"""

from __future__ import annotations

import shlex
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from agentcore_ext import arns
from agentcore_ext.define.shape import CONFIGURE_DEFAULTS
from agentcore_ext.errors import EXIT_CHECKS_FAILED, EXIT_INTERRUPTED, EXIT_TOOLKIT_FAILED, UsageError
from agentcore_ext.findings import Code, Finding, codes, has_errors
from agentcore_ext.flows import answers, codebuild_step, configured_role, transaction
from agentcore_ext.flows import configure_undo as undo
from agentcore_ext.flows.ensure import precheck, settle_role
from agentcore_ext.flows.role import RoleOutcome, shape_args
from agentcore_ext.flows.session import Confirm, Progress, Session, role_into_report
from agentcore_ext.report import ConfigureBlock, Report
from agentcore_ext.settings import Settings
from agentcore_ext.toolkit.argv import build_configure_argv, configure_overrides
from agentcore_ext.toolkit.config import CONFIG_FILE, AgentConfig, read_agent_config, read_configured_role
from agentcore_ext.toolkit.options import check_values
from agentcore_ext.toolkit.rerun import rerun_changes
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
    """The drop-in for `agentcore configure`, as a transaction: read-only checks, the toolkit with the planned role
    ARN, then the role judged and planned for what the toolkit wrote; anything short of done undoes its writes.
    One run at a time per folder (transaction.locked); a link where the toolkit writes is exit 2 before anything."""
    workdir = Path(settings.workdir)
    entrypoint = check_entrypoint(settings.entrypoint, workdir)
    settings = settings.with_(shape_defaults=CONFIGURE_DEFAULTS)  # a configured agent's YAML block outranks them
    with transaction.guarded(workdir, settings.agent_name, entrypoint, progress, lock=not settings.dry_run):
        return _configure(settings, entrypoint, report, confirm, progress, interactive=interactive)


def _configure(
    settings: Settings, entrypoint: str, report: Report, confirm: Confirm, progress: Progress, *, interactive: bool
) -> int:
    workdir = Path(settings.workdir)
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
    from_yaml, by_name = None, False  # the YAML's role as the target, found or created by its (default) name
    if block and kept and not (settings.execution_role or settings.role_name):
        from_yaml, (settings, by_name) = kept, configured_role.target(settings, kept, block.region)
        report.add([configured_role.kept(settings.agent_name, kept, by_name=by_name)])
    # 1. Read-only: the caller, the role as it is, PassRole for the ARN the toolkit will record.
    joint = codebuild_step.JointConfirm(confirm)  # one prompt for the execution role and the CodeBuild role
    # The CodeBuild role of a container agent (issue 13): its ARN goes to the toolkit, so it is planned now, its
    # reads beside the execution role's and the PassRole check's (one round trip less each at real IAM latency).
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="agentcore-ext-codebuild") as pool:
        early: list[Future[codebuild_step.CodeBuildStep | None]] = []
        checked = precheck(
            settings,
            report,
            joint,
            lambda sess: early.append(pool.submit(codebuild_step.plan_step, sess, overrides, block)),
            also_read=codebuild_step.role_names(settings, overrides, block),
        )
        codebuild = early[0].result() if early and not checked.stops else None
    s = checked.session
    if by_name and from_yaml:
        configured_role.same_account(from_yaml, s.spec)
    stops = [*checked.stops, *(codebuild.stops() if codebuild else ())]
    if stops:  # no answer at the toolkit's prompts could make these roles usable: do not ask them
        role_into_report(checked.role, report, s)
        report.add([f for f in stops if f not in report.findings])
        if from_yaml and not by_name:
            rerun = _rerun_command(configured_role.create_by_name(settings, from_yaml), s, entrypoint)
            configured_role.missing(report, from_yaml, s.spec.agent, rerun)
        report.configure = ConfigureBlock()
        return EXIT_CHECKS_FAILED
    if kept and kept != checked.arn:
        report.add(
            [
                Finding(
                    Code.CONFIGURED_ROLE_REPLACED,
                    f"replacing configured role {kept} with {checked.arn} in {CONFIG_FILE}",
                    "this is what --execution-role/--role-name asked for; the previous role is unchanged in IAM",
                )
            ]
        )
    argv = build_configure_argv(
        entrypoint,
        s.spec.agent,
        checked.arn,
        s.spec.region,
        s.spec.deployment_type,
        not s.spec.memory,
        s.spec.protocol,
        not interactive,  # --yes confirms the IAM plan only; the toolkit's -ni is the user's to give
        settings.toolkit_args,
        codebuild_role_arn=codebuild.pass_arn if codebuild else None,
    )
    if block is not None and "--non-interactive" in argv:
        report.add(rerun_changes(block, disable_memory="--disable-memory" in argv))
    if settings.dry_run:  # writes nothing anywhere: the plan for the agent as known now, and the command
        settle_role(s, checked.gate, report, progress)
        if codebuild:
            codebuild_step.finish(s, codebuild, report, joint, progress)
        report.configure = ConfigureBlock(False, None, ("agentcore", *argv))
        report.add(
            [
                Finding(
                    Code.TOOLKIT_NOT_RUN,
                    f"--dry-run: the toolkit was not run; it would run: agentcore {shlex.join(argv)}",
                    "answers typed at its prompts (an ECR repository, memory) are judged when it runs: "
                    "rerun without --dry-run",
                )
            ]
        )
        return EXIT_CHECKS_FAILED if has_errors(report.findings) else 0
    # 2. The toolkit, with the planned ARN (the role need not exist yet: with -er the toolkit reads no IAM).
    before, after = transaction.take(workdir, transaction.toolkit_files(entrypoint)), None  # taken before the .bak
    undo.backup(before, report)
    progress(f"running: agentcore {' '.join(argv)}")
    # The toolkit builds its own boto3 session: hand it the same profile our checks used.
    env = {"AWS_PROFILE": settings.profile} if settings.profile else None
    lend = s.gateway.lend_session()  # the toolkit reuses our boto3 session and caller identity (in-process)
    try:
        code = run_toolkit(
            argv, workdir, env=env, region=s.spec.region, stdout_to_stderr=settings.json, session_scope=lend
        )
    except BaseException:
        undo.restore(before, after, report)
        raise
    after = transaction.take(workdir, before.listed)  # what the toolkit left: undone later only where still so
    report.configure = ConfigureBlock(True, code, ("agentcore", *argv))
    if code == EXIT_INTERRUPTED:
        undo.restore(before, after, report)
        report.add(
            [
                Finding(
                    Code.INTERRUPTED,
                    "interrupted at the toolkit's prompt: nothing was changed (IAM was not touched, the "
                    "toolkit's files are as they were)",
                    "rerun the same command",
                )
            ]
        )
        return EXIT_INTERRUPTED
    if code != 0:
        undo.restore(before, after, report)
        report.add(
            [
                Finding(
                    Code.TOOLKIT_CONFIGURE_FAILED,
                    f"the starter toolkit failed: agentcore configure exited {code}",
                    "see the toolkit's output above; IAM was not changed and the toolkit's files are as they were",
                )
            ]
        )
        return EXIT_TOOLKIT_FAILED
    # 3-4. The profile from what the toolkit wrote; judge, plan, show, confirm, apply, verify.
    progress(f"judging role {checked.arn} for the agent as {CONFIG_FILE} now describes it")
    try:
        s = answers.reprofiled(s, report, checked.gate.result)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="agentcore-ext-codebuild") as pool:
            # the CodeBuild role read again for the repository the toolkit wrote, beside the execution role's reads;
            # the joint prompt waits for it
            # After a non-interactive toolkit run (seconds, no prompts) the roles as read before it still hold: they
            # are planned again for what it wrote without another read (2 round trips at real IAM latency).
            # After prompts, which can take minutes, they are read again.
            fresh = "--non-interactive" in argv
            later = pool.submit(codebuild_step.replan, s, codebuild, reread=not fresh) if codebuild else None
            joint.companion = later
            outcome = settle_role(s, checked.gate, report, progress, checked.role.observed if fresh else None)
            codebuild = later.result() if later else None
        told = outcome  # the outcome a declined run is told about
        if codebuild and not has_errors(report.findings):
            told = _declined_first(outcome, codebuild_step.finish(s, codebuild, report, joint, progress))
        _, configured = read_configured_role(workdir, s.spec.agent)
        if configured != outcome.arn and not has_errors(report.findings):
            report.add(
                [
                    Finding(
                        Code.CONFIGURED_ROLE_MISMATCH,
                        f".bedrock_agentcore.yaml records execution role {configured!r}, not {outcome.arn}",
                        "rerun agentcore-ext configure; do not edit the file's execution_role by hand",
                    )
                ]
            )
    except BaseException:  # interrupted at the IAM prompt, or AWS refused a write: the error says what was done
        undo.restore(before, after, report)
        raise
    # 5. Declined or blocked: the folder goes back as it was.
    if Code.ROLE_CHANGE_DECLINED in codes(report.findings):
        undone = undo.restore(before, after, report, quiet=True)
        also = codebuild.planned.plan if codebuild and told is outcome and codebuild.planned.plan.will_apply else None
        undo.declined(report, told, _rerun_command(settings, s, entrypoint), also, told is outcome, undone)
        return EXIT_CHECKS_FAILED
    if has_errors(report.findings):
        undo.restore(before, after, report)
        return EXIT_CHECKS_FAILED
    return 0


def _declined_first(execution: RoleOutcome, codebuild: RoleOutcome) -> RoleOutcome:
    """The outcome a declined run is told about: the execution role's, unless only the CodeBuild plan was asked."""
    declined = Code.ROLE_CHANGE_DECLINED
    only_codebuild = declined in codes(codebuild.findings) and declined not in codes(execution.findings)
    return codebuild if only_codebuild else execution


def _rerun_command(settings: Settings, s: Session, entrypoint: str) -> str:
    """The configure command that repeats this run (the toolkit's prompts are asked again)."""
    argv = ["agentcore-ext", "configure", "--entrypoint", entrypoint, "--name", s.spec.agent, "--region", s.spec.region]
    argv += shape_args(settings, s.spec)  # the same shape as every other hint (tags, extra policies included)
    argv += ["--fix"] if settings.fix else []
    argv += ["--", *settings.toolkit_args] if settings.toolkit_args else []
    return shlex.join(argv)


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
