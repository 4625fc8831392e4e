"""Read a CloudFormation template file, JSON or YAML, with cfn-lint's decoder.

cfn-lint's decoder (cfnlint.decode) reads both formats, the short-form intrinsics of YAML (`!Sub`, `!Ref`,
`!GetAtt A.B`) into their long form, and refuses duplicate keys, as CloudFormation does. It is imported only here,
only when a template is given: importing the cfnlint package costs about 1.5 s (it loads sympy and networkx).
"""

from __future__ import annotations

import logging
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from agentcore_ext.errors import UsageError

MAX_TEMPLATE_BYTES = 5 * 1024 * 1024  # CloudFormation itself takes 1 MB (from S3); cdk synth stays far below
HINT = "pass a CloudFormation template, JSON or YAML (`cdk synth` writes cdk.out/<Stack>.template.json)"


def read_template(path: str) -> Mapping[str, Any]:
    """The template's top-level object; a file that is missing, not regular, over 5 MiB, not UTF-8, not JSON or
    YAML, or not a template with Resources is a UsageError naming it."""
    text = _read_text(path)
    from cfnlint.decode import decode_str  # type: ignore[import-untyped]  # cfn-lint ships no type information

    # cfn-lint logs what it also returns as matches; with no handler, Python's last resort prints it to stderr.
    logging.getLogger("cfnlint").addHandler(logging.NullHandler())
    try:
        template, matches = decode_str(text)
    except RecursionError:
        raise UsageError(f"--template {path}: nested too deeply to read", HINT) from None
    if matches:
        first = matches[0]
        line = getattr(first, "linenumber", 0)
        where = f"{path}:{line}" if line else path
        raise UsageError(
            f"--template {where}: not valid JSON or YAML: {getattr(first, 'message', first)}",
            "fix the template there (`cfn-lint FILE` lists every problem it has)",
        )
    return _checked(template, path)


def _read_text(path: str) -> str:
    p = Path(path)
    try:
        info = p.stat()
    except FileNotFoundError:
        raise UsageError(f"--template {path}: no such file", HINT) from None
    except OSError as exc:
        raise UsageError(f"--template {path}: cannot read it ({exc.strerror or exc})", HINT) from None
    if stat.S_ISDIR(info.st_mode):
        raise UsageError(f"--template {path} is a directory", HINT)
    if not stat.S_ISREG(info.st_mode):  # a FIFO or a device would block or never end
        raise UsageError(f"--template {path} is not a regular file", HINT)
    if info.st_size > MAX_TEMPLATE_BYTES:
        raise UsageError(f"--template {path} is larger than 5 MiB ({info.st_size} bytes)", HINT)
    try:
        with p.open("rb") as handle:
            data = handle.read(MAX_TEMPLATE_BYTES + 1)  # the file may have grown since stat
    except OSError as exc:
        raise UsageError(f"--template {path}: cannot read it ({exc.strerror or exc})", HINT) from None
    if len(data) > MAX_TEMPLATE_BYTES:
        raise UsageError(f"--template {path} is larger than 5 MiB", HINT)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(f"--template {path} is not UTF-8 text ({exc.reason} at byte {exc.start})", HINT) from None


def _checked(template: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(template, Mapping):
        raise UsageError(f"--template {path} is not a CloudFormation template (its top level is not an object)", HINT)
    resources = template.get("Resources")
    if not isinstance(resources, Mapping) or not resources:
        raise UsageError(f"--template {path} has no Resources: it is not a CloudFormation template", HINT)
    for logical, resource in resources.items():
        if not isinstance(resource, Mapping) or not isinstance(resource.get("Type"), str):
            raise UsageError(
                f"--template {path}: resource {logical} has no Type",
                "every resource of a CloudFormation template has a Type",
            )
        if not isinstance(resource.get("Properties", {}), Mapping):
            raise UsageError(f"--template {path}: {logical}.Properties is not an object", "fix the template there")
    return template
