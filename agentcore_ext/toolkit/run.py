"""Running the starter toolkit (`agentcore ...`) in-process or in a subprocess. Its configure argv is built in
toolkit/argv.py; the `.bedrock_agentcore.yaml` it writes is read back in toolkit/config.py.

In-process or subprocess? Measured with bedrock-agentcore-starter-toolkit 0.3.14 against a local moto server
(Python 3.11, 2 CPUs, interleaved runs, medians; `configure -e hello.py -er ARN -ni --disable-memory -dt container`;
the wrapper imports typer, boto3 and this module and makes 4 AWS calls before running the toolkit):

                                        quiet machine, 7 runs     loaded machine, 11 runs     peak RSS
    plain `agentcore configure`         1.61 s                    3.23 s                       92.5 MiB
    wrapper, toolkit in-process         1.82 s (1.13x)            3.24 s (1.00x)              105.3 MiB (1.14x)
    wrapper, toolkit in a subprocess    2.25 s (1.39x)            3.86 s (1.19x)              147.6 MiB (1.59x)

(Subprocess memory is parent + child: the parent stays alive, holding ~55 MiB, while the child runs.)
A subprocess pays a second interpreter, a second boto3 import and a second ~60 MiB heap while the parent waits,
so only the in-process run can meet the 1.2x goal. The price is hygiene: the toolkit's Typer app runs with our
process's environment, working directory and boto3 default session, so `_in_process` patches and restores all of
them. `AGENTCORE_EXT_TOOLKIT_MODE=subprocess` keeps the subprocess path for A/B benchmarks and debugging; it runs
`python -m bedrock_agentcore_starter_toolkit.cli.cli`, never `agentcore` from PATH (the npm `@aws/agentcore`
package installs a binary of the same name).

Nothing here imports the toolkit, boto3 or yaml at module level: the CLI's start-up must stay cheap.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from agentcore_ext.errors import EXIT_INTERRUPTED, ToolkitError, UsageError
from agentcore_ext.process_env import patched_environ, working_directory
from agentcore_ext.toolkit.config import CONFIG_FILE as CONFIG_FILE  # re-exported: callers and tests use them here

TOOLKIT_DISTRIBUTION = "bedrock-agentcore-starter-toolkit"
TOOLKIT_PACKAGE = "bedrock_agentcore_starter_toolkit"
TOOLKIT_CLI_MODULE = "bedrock_agentcore_starter_toolkit.cli.cli"
INSTALL_COMMAND = f"pip install {TOOLKIT_DISTRIBUTION}"
SUPPRESS_RECOMMENDATION_ENV = "AGENTCORE_SUPPRESS_RECOMMENDATION"
MODE_ENV = "AGENTCORE_EXT_TOOLKIT_MODE"


def toolkit_available() -> str | None:
    """The installed toolkit's version, or None; looks at package metadata only, imports nothing."""
    if importlib.util.find_spec(TOOLKIT_PACKAGE) is None:
        return None
    from importlib import metadata  # lazy: ~40 ms of imports (email, zipfile) that `--help` should not pay

    try:
        return metadata.version(TOOLKIT_DISTRIBUTION)
    except metadata.PackageNotFoundError:
        # Importable but without metadata (a source checkout on sys.path): usable, version unknown.
        return "unknown"


def require_toolkit() -> str:
    version = toolkit_available()
    if version is None:
        raise ToolkitError(
            f"the Bedrock AgentCore starter toolkit ({TOOLKIT_DISTRIBUTION}) is not installed",
            f"install it into the same environment as agentcore-ext: {INSTALL_COMMAND}",
        )
    return version


def toolkit_env_changes(env: Mapping[str, str | None] | None, region: str | None) -> dict[str, str | None]:
    """Environment changes for a toolkit run; a None value removes the variable."""
    changes: dict[str, str | None] = {SUPPRESS_RECOMMENDATION_ENV: "1"}
    changes.update(env or {})
    if region:
        # The toolkit's STS client ignores --region and fails with NoRegionError without these.
        changes["AWS_REGION"] = region
        changes["AWS_DEFAULT_REGION"] = region
    return changes


def run_toolkit(
    args: Sequence[str],
    cwd: Path,
    env: Mapping[str, str | None] | None = None,
    region: str | None = None,
    *,
    stdout_to_stderr: bool = False,
    session_scope: contextlib.AbstractContextManager[Any] | None = None,
) -> int:
    """Run `agentcore <args>` in cwd and return its exit code.

    env holds changes on top of os.environ (None removes a variable), e.g. `{"AWS_PROFILE": profile}` for
    --profile (the toolkit uses boto3's default session) or `Sandbox.env()`; region goes into AWS_REGION and
    AWS_DEFAULT_REGION. With stdout_to_stderr the toolkit's stdout goes to our stderr, so that a `--json`
    report stays the only thing on stdout. Raises ToolkitError (exit 5) when the toolkit is missing or broken.

    session_scope (in-process only; a subprocess cannot share it): entered around the toolkit's run, inside the
    patched environment, e.g. Gateway.lend_session() so the toolkit reuses this run's boto3 session and identity.
    Without one the toolkit starts from an empty default session, as it would on its own.
    """
    require_toolkit()
    if not Path(cwd).is_dir():
        raise UsageError(f"working directory {cwd} does not exist", "run from the agent's project directory")
    changes = toolkit_env_changes(env, region)
    if os.environ.get(MODE_ENV, "").lower() == "subprocess":
        return _subprocess(list(args), Path(cwd), changes, stdout_to_stderr)
    return _in_process(list(args), Path(cwd), changes, stdout_to_stderr, session_scope or contextlib.nullcontext())


def passthrough(args: Sequence[str], cwd: Path) -> int:
    """Any other toolkit subcommand (`status`, `deploy`, `invoke`, `--help`, ...) exactly as the user typed it."""
    return run_toolkit(args, cwd)


def load_app() -> Any:
    try:
        module = sys.modules.get(TOOLKIT_CLI_MODULE) or _import_once(TOOLKIT_CLI_MODULE)
    except Exception as exc:  # any import-time failure means a broken install, not a bug of ours
        raise ToolkitError(
            f"the starter toolkit is installed but cannot be loaded: {type(exc).__name__}: {exc}",
            f"reinstall it: pip install --force-reinstall {TOOLKIT_DISTRIBUTION}",
        ) from exc
    app = getattr(module, "app", None)
    if not callable(app):
        raise ToolkitError(
            f"{TOOLKIT_CLI_MODULE} has no Typer app (toolkit version {toolkit_available()})",
            f"install a supported version: pip install '{TOOLKIT_DISTRIBUTION}>=0.3.14,<0.4'",
        )
    return app


def _import_once(name: str) -> Any:
    """Import the toolkit (~1100 modules, ~0.6 s) with the cyclic garbage collector paused, then freeze what it made.

    The import allocates hundreds of thousands of long-lived objects (modules, classes, pydantic models) and
    almost no garbage, yet each allocation burst triggers collections that traverse all of them: pausing the
    collector saves ~60 ms. Frozen (gc.freeze), those objects are skipped by every later collection, the one at
    interpreter exit included: ~150 ms less at exit on a 2-core machine. The price is that cyclic garbage made
    by the import itself is never collected, a few kilobytes that live until exit anyway. Done once per process.
    """
    import gc

    enabled = gc.isenabled()
    gc.disable()
    try:
        module = importlib.import_module(name)
    finally:
        if enabled:
            gc.enable()
    gc.freeze()
    return module


def _exit_code(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)  # sys.exit("message") convention: the message is the error, exit 1
    return 1


def _in_process(
    args: list[str],
    cwd: Path,
    changes: Mapping[str, str | None],
    stdout_to_stderr: bool,
    session_scope: contextlib.AbstractContextManager[Any],
) -> int:
    app = load_app()
    import logging  # lazy, like everything this module does not need before a toolkit run

    boto3: Any = sys.modules.get("boto3")  # imported by the toolkit by now
    saved_session = getattr(boto3, "DEFAULT_SESSION", None)
    root = logging.getLogger()
    saved_root = (root.level, root.handlers[:])
    saved_hook = sys.excepthook  # Typer installs its own on every call
    redirect: contextlib.AbstractContextManager[Any] = (
        contextlib.redirect_stdout(sys.stderr) if stdout_to_stderr else contextlib.nullcontext()
    )
    try:
        with patched_environ(changes), working_directory(cwd), redirect:
            _rebind_closed_log_streams(logging)
            if boto3 is not None:
                # boto3's default session caches credentials and region: the toolkit must see this run's (the
                # scope may lend it one; the finally below restores the caller's either way).
                boto3.DEFAULT_SESSION = None
            try:
                with session_scope:  # left (and undone) before any handler below runs
                    # Not standalone: click would turn Ctrl-C/Ctrl-D at a toolkit prompt into "Aborted!", exit 1.
                    result = app(args=args, prog_name="agentcore", standalone_mode=False)
            except SystemExit as exc:
                return _exit_code(exc.code)
            except Exception as exc:  # an uncaught toolkit error: a subprocess would print it and exit 1
                if type(exc).__name__ == "Abort":  # click's (or Typer's vendored click's) Ctrl-C/Ctrl-D
                    print("\nAborted!", file=sys.stderr)
                    return EXIT_INTERRUPTED
                show, code = getattr(exc, "show", None), getattr(exc, "exit_code", None)
                if callable(show) and isinstance(code, int):  # a click usage error: what standalone mode prints
                    show()
                    return code
                print(f"agentcore {' '.join(args[:1])} failed: {type(exc).__name__}: {exc}", file=sys.stderr)
                if os.environ.get("AGENTCORE_EXT_DEBUG"):
                    import traceback

                    traceback.print_exc()
                return 1
            return result if isinstance(result, int) else 0
    finally:
        if boto3 is not None:
            boto3.DEFAULT_SESSION = saved_session
        root.setLevel(saved_root[0])
        root.handlers[:] = saved_root[1]
        sys.excepthook = saved_hook
        sys.stdout.flush()


def _rebind_closed_log_streams(logging: Any) -> None:
    """Point log handlers whose stream was closed (a previous in-process run's stderr) at the current stderr.

    The toolkit adds StreamHandlers to its loggers once, at import; when agentcore-ext runs it more than once in
    one process (tests, the deploy guard), those handlers would otherwise write to a dead stream.
    """
    loggers = [
        logging.getLogger(),
        *(logger for logger in logging.Logger.manager.loggerDict.values() if isinstance(logger, logging.Logger)),
    ]
    for logger in loggers:
        for handler in logger.handlers:
            if isinstance(handler, logging.StreamHandler) and getattr(handler.stream, "closed", False):
                handler.stream = sys.stderr  # not setStream(): it would flush the closed stream first


def _subprocess(args: list[str], cwd: Path, changes: Mapping[str, str | None], stdout_to_stderr: bool) -> int:
    import subprocess

    child_env = dict(os.environ)
    for key, value in changes.items():
        if value is None:
            child_env.pop(key, None)
        else:
            child_env[key] = value
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        completed = subprocess.run(
            # -P (Python 3.11+): `-m` would put the working directory, the agent's folder, first on sys.path, so a
            # `typer.py` or `boto3.py` there would be imported instead of the real package. Only the flag, not
            # PYTHONSAFEPATH: the variable would reach the agent's own processes and break their local imports.
            [sys.executable, "-P", "-m", TOOLKIT_CLI_MODULE, *args],
            cwd=cwd,
            env=child_env,
            stdout=2 if stdout_to_stderr else None,  # fd 2: our real stderr
            check=False,
        )
    except OSError as exc:
        raise ToolkitError(f"cannot start the starter toolkit: {exc}", INSTALL_COMMAND) from exc
    # A signal death (negative code) maps to the shell convention 128 + signal.
    return completed.returncode if completed.returncode >= 0 else 128 - completed.returncode
