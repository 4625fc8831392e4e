"""The model Strands Agents calls when the code names none (`Agent()`, `BedrockModel()`), from the strands-agents
version the agent pins. Pure: files are read through the caller's `read` (the scan's reader, confined to the
agent's folder).

Source: strands-agents/sdk-python, `src/strands/models/bedrock.py` at each release tag (DEFAULT_BEDROCK_MODEL_ID,
`_get_default_model_with_warning`), and `src/strands/agent/agent.py` (`Agent(model=None)` makes `BedrockModel()`):
- 0.1.0 to 0.3.x: `us.anthropic.claude-3-7-sonnet-20250219-v1:0`;
- 1.0.0 to 1.7.x: `us.anthropic.claude-sonnet-4-20250514-v1:0`;
- 1.8.0 to 1.37.x: `<prefix>.anthropic.claude-sonnet-4-20250514-v1:0`, the prefix from the region the model is
  called in (the region without its last two parts: `us`, `eu`, `us-gov`, and `ap` spelt `apac`); in any other
  region Strands only warns that it has no default there;
- 1.38.0 to 1.40.0 (the newest release read): `global.anthropic.claude-sonnet-4-6` in every region.
RUNTIME-NEEDS.md, "Default models in the code people start from", has the same dates. The region is
BedrockModel's `region_name`, else boto3's, else AWS_REGION: in AgentCore Runtime, the agent's region.

A version that is not pinned (or a range that crosses a change, or reaches past the newest release read) leaves the
model unknown: a requirement on some model, never a guessed one (INTERFACE.md, "a fact nobody gave").
"""

from __future__ import annotations

import posixpath
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass

PACKAGE = "strands-agents"
Version = tuple[int, int, int]
NEWEST_READ: Version = (1, 40, 0)
UNBOUNDED: Version = (1 << 30, 0, 0)
_REGIONAL = "{}.anthropic.claude-sonnet-4-20250514-v1:0"
# (first version, its default model; "{}" is the region's prefix)
BANDS: tuple[tuple[Version, str], ...] = (
    ((0, 0, 0), "us.anthropic.claude-3-7-sonnet-20250219-v1:0"),
    ((1, 0, 0), "us.anthropic.claude-sonnet-4-20250514-v1:0"),
    ((1, 8, 0), _REGIONAL),
    ((1, 38, 0), "global.anthropic.claude-sonnet-4-6"),
)
_REGION_PREFIXES = {"us": "us", "eu": "eu", "ap": "apac", "us-gov": "us-gov"}
_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*([^;#]*)")
_CLAUSE = re.compile(r"^\s*(===|==|~=|!=|<=|>=|<|>)\s*(\d+(?:\.\d+)*)(\.\*)?\s*$")
Reader = Callable[[str], str | None]


@dataclass(frozen=True)
class Pin:
    spec: str  # the version specifier as written, "==1.10.0" ("" when the package is named unpinned)
    where: str  # "requirements.txt:3", "pyproject.toml"


@dataclass(frozen=True)
class StrandsDefault:
    model: str  # "" when unknown
    why: str  # what decided it, or why it is unknown (a sentence part)


def _name(text: str) -> str:
    return re.sub(r"[-_.]+", "-", text).lower()


def _from_requirements(text: str, file: str) -> Pin | None:
    for number, line in enumerate(text.splitlines(), start=1):
        match = _REQUIREMENT.match(line)
        if match and not line.lstrip().startswith("-") and _name(match.group(1)) == PACKAGE:
            return Pin(match.group(2).strip(), f"{file}:{number}")
    return None


def _from_pyproject(text: str, file: str) -> Pin | None:
    try:
        deps = tomllib.loads(text).get("project", {}).get("dependencies", [])
    except tomllib.TOMLDecodeError:
        return None
    for dep in deps if isinstance(deps, list) else []:
        match = _REQUIREMENT.match(dep) if isinstance(dep, str) else None
        if match and _name(match.group(1)) == PACKAGE:
            return Pin(match.group(2).strip(), file)
    return None


def find_pin(read: Reader, entrypoint: str) -> Pin | None:
    """strands-agents as the requirements.txt or pyproject.toml nearest the entry file names it (its folder,
    then each folder up to the agent's own); None when none names it."""
    folder = posixpath.dirname(entrypoint)
    while True:
        for name, parse in (("requirements.txt", _from_requirements), ("pyproject.toml", _from_pyproject)):
            path = posixpath.join(folder, name) if folder else name
            text = read(path)
            found = parse(text, path) if text is not None else None
            if found is not None:
                return found
        if not folder:
            return None
        folder = posixpath.dirname(folder)


def _version(text: str) -> Version:
    parts = [int(p) for p in text.split(".")[:3]] + [0, 0, 0]
    return parts[0], parts[1], parts[2]


def _bump(text: str, keep: int) -> Version:
    """The first version after every version starting with the first `keep` parts of `text`."""
    parts = [int(p) for p in text.split(".")][:keep]
    parts[-1] += 1
    return _version(".".join(str(p) for p in parts))


def versions(spec: str) -> tuple[Version, Version, bool] | None:
    """(lowest, highest, highest included) the specifier allows (UNBOUNDED without an upper bound); None for one
    this module does not read (a pre-release, a URL, an arbitrary-equality string)."""
    low: Version = (0, 0, 0)
    high: tuple[Version, bool] = (UNBOUNDED, False)
    for clause in filter(None, (c.strip() for c in spec.split(","))):
        match = _CLAUSE.match(clause)
        if match is None:
            return None
        op, text, star = match.groups()
        bound: tuple[Version, bool] | None = None
        if op in ("==", "===") and star:
            low, bound = max(low, _version(text)), (_bump(text, len(text.split("."))), False)
        elif op in ("==", "==="):
            low, bound = max(low, _version(text)), (_version(text), True)
        elif op == "~=" and "." in text:
            low, bound = max(low, _version(text)), (_bump(text, len(text.split(".")) - 1), False)
        elif op in (">=", ">"):
            low = max(low, _version(text))
        elif op in ("<=", "<"):
            bound = (_version(text), op == "<=")
        elif op != "!=":
            return None
        if bound is not None and bound[0] <= high[0]:
            high = bound if bound[0] < high[0] else (bound[0], bound[1] and high[1])
    return low, high[0], high[1]


def default_for(pin: Pin | None, region: str) -> StrandsDefault:
    """The default model of the strands-agents versions `pin` allows, called in `region`."""
    if pin is None:
        return StrandsDefault("", f"no requirements.txt or pyproject.toml names {PACKAGE}, so its version is unknown")
    if not pin.spec:
        return StrandsDefault(
            "", f"{PACKAGE} is not pinned ({pin.where}), and its default model changed between versions"
        )
    said = f"{PACKAGE}{pin.spec} ({pin.where})"
    allowed = versions(pin.spec)
    if allowed is None:
        return StrandsDefault("", f"{said} is a version specifier agentcore-ext does not read")
    low, high, included = allowed
    if high > NEWEST_READ:
        newest = ".".join(map(str, NEWEST_READ))
        return StrandsDefault("", f"{said} allows versions newer than {newest}, the newest whose default is known")
    if low > high or (low == high and not included):
        return StrandsDefault("", f"{said} allows no version")
    starts = [start for start, _ in BANDS]
    band = max(i for i, start in enumerate(starts) if start <= low)
    if any(low < start and (start <= high if included else start < high) for start in starts):
        return StrandsDefault("", f"{said} spans versions with different default models")
    template = BANDS[band][1]
    if template != _REGIONAL:
        return StrandsDefault(template, f"the default model of {said}")
    prefix = "-".join(region.split("-")[:-2]).lower()
    if prefix not in _REGION_PREFIXES:
        return StrandsDefault(
            "", f"{said} has no default model in {region} (it warns and calls {template.format(prefix)})"
        )
    return StrandsDefault(template.format(_REGION_PREFIXES[prefix]), f"the default model of {said} in {region}")
