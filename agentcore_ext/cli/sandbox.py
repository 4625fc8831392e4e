"""`sandbox start|stop|status`: a persistent embedded sandbox that `--sandbox` commands share."""

from __future__ import annotations

import json
from typing import Any

import typer

from agentcore_ext.cli import options as o
from agentcore_ext.cli import render
from agentcore_ext.errors import AgentCoreExtError

app = typer.Typer(
    help="A persistent local AWS (moto) in the background: --sandbox commands share its state.", no_args_is_help=True
)


def _show(info: dict[str, Any], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(info, indent=2, sort_keys=True))
        return
    if info.get("running"):
        typer.echo(f"sandbox running: pid {info.get('pid')}, {info.get('endpoint_url')}, region {info.get('region')}")
    else:
        typer.echo("sandbox not running")
    typer.echo(f"state file: {info.get('state_file')}")


def _call(action: str, as_json: bool, region: str | None = None) -> None:
    from agentcore_ext.flows import sandbox as flow

    try:
        if action == "start":
            info = flow.start(region or "us-east-1")
        elif action == "stop":
            info = flow.stop()
        else:
            info = flow.status()
    except AgentCoreExtError as exc:
        render.error(exc)
        raise typer.Exit(exc.exit_code) from exc
    _show(info, as_json)


@app.command("start")
def start(region: o.Region = None, json_out: o.Json = False) -> None:
    """Start the sandbox in the background (127.0.0.1, a free port) with the seeded demo account."""
    _call("start", json_out, region)


@app.command("stop")
def stop(json_out: o.Json = False) -> None:
    """Stop the running sandbox (only its own process) and remove its state file."""
    _call("stop", json_out)


@app.command("status")
def status(json_out: o.Json = False) -> None:
    """Whether the sandbox runs, where, and its state file."""
    _call("status", json_out)
