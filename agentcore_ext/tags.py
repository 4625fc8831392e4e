"""IAM's tag rules for the tags agentcore-ext puts on the roles it creates (--tag, the team's `tags`). Pure.

Moved out of settings.py whole (it had outgrown the 350-line module cap of tests/test_import_contract.py).
"""

from __future__ import annotations

import unicodedata

from agentcore_ext.errors import UsageError
from agentcore_ext.state import MANAGED_BY_TAG


def _tag_char(c: str) -> bool:
    """IAM's tag grammar, [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*, without the line and paragraph separators."""
    category = unicodedata.category(c)
    return c in "_.:/=+-@" or category[0] in "LN" or category == "Zs"


def check_tag(key: str, value: str, what: str) -> str:
    if not key.strip():
        raise UsageError(f"{what}: the tag key {key!r} is empty", 'give every tag a key, e.g. tags = { team = "ml" }')
    if key.lower() == MANAGED_BY_TAG[0]:  # IAM refuses keys that differ only in case
        # The tool's own tag marks the roles it may finish and tag; nobody may set it to something else.
        raise UsageError(
            f"{what}: tag key {key!r} is the tool's own (it is always {MANAGED_BY_TAG[0]}={MANAGED_BY_TAG[1]})",
            f"remove {key} from the tags; agentcore-ext sets it itself",
        )
    if len(key) > 128 or len(value) > 256:
        raise UsageError(f"{what} is too long", "IAM tag keys hold 128 characters, values 256")
    bad = next((c for c in key + value if not _tag_char(c)), None)
    if bad is not None:  # IAM would refuse it at TagRole; an ESC or newline would also reach hints and plans
        raise UsageError(
            f"{what}: the character {bad!r} is not allowed in an IAM tag",
            "IAM tags hold letters, digits, spaces and _ . : / = + - @",
        )
    if key.lower().startswith("aws:"):
        raise UsageError(f"{what} uses the reserved prefix aws:", "choose another tag key")
    return value
