"""Run a flow against the embedded sandbox (a local moto server seeded with a demo developer) when asked."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from agentcore_ext.report import Report
from agentcore_ext.settings import Settings


@contextlib.contextmanager
def maybe_sandbox(settings: Settings, report: Report, say: Callable[[str], None]) -> Iterator[Settings]:
    """Yield the settings to run with: unchanged, or pointed at a fresh sandbox for the block (--sandbox)."""
    if not settings.sandbox:
        yield settings
        return
    from agentcore_ext.aws.sandbox_state import running

    persistent = running()
    if persistent is not None:
        from agentcore_ext.aws import redact

        redact.install(persistent.secret_access_key)
        with persistent.activate():
            report.notes.append(persistent.banner + " (the running sandbox: agentcore-ext sandbox stop ends it)")
            yield settings.with_(region=persistent.region, profile=None)
        return
    from agentcore_ext.aws.sandbox import start_sandbox  # lazy: moto costs ~0.3 s to import

    region = settings.region or "us-east-1"
    say("starting the embedded sandbox (a local moto server)...")
    with start_sandbox(region) as sandbox, sandbox.activate():
        report.notes.append(sandbox.banner)
        yield settings.with_(region=region, profile=None)
