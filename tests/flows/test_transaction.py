"""flows/transaction.py: the folder put back byte for byte, and nothing outside what the toolkit writes touched."""

from __future__ import annotations

import re
from pathlib import Path

from agentcore_ext.findings import Code
from agentcore_ext.flows import answers, transaction


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_restore_undoes_rewrites_and_removes_only_what_is_new(tmp_path: Path) -> None:
    (tmp_path / "agent.py").write_text("x = 1\n")
    (tmp_path / ".bedrock_agentcore.yaml").write_text("agents: {}\n")
    (tmp_path / ".bedrock_agentcore.yaml.bak").write_text("mine\n")
    old = tmp_path / ".bedrock_agentcore" / "old"
    old.mkdir(parents=True)
    (old / "Dockerfile").write_text("FROM old\n")
    before = _files(tmp_path)
    snap = transaction.take(tmp_path)
    # what a toolkit run does: rewrite the YAML and the .bak, a Dockerfile; add files and folders
    (tmp_path / ".bedrock_agentcore.yaml").write_text("agents: {new: {}}\n")
    (tmp_path / ".bedrock_agentcore.yaml.bak").write_text("agents: {}\n")
    (old / "Dockerfile").write_text("FROM new\n")
    new = tmp_path / ".bedrock_agentcore" / "new" / "deep"
    new.mkdir(parents=True)
    (new / "Dockerfile").write_text("FROM x\n")
    (tmp_path / ".dockerignore").write_text("*\n")
    done = transaction.restore(snap)
    assert _files(tmp_path) == before
    assert not (tmp_path / ".bedrock_agentcore" / "new").exists() and old.is_dir()
    assert done.describe() == (
        "restored .bedrock_agentcore/old/Dockerfile, .bedrock_agentcore.yaml, .bedrock_agentcore.yaml.bak; "
        "removed .bedrock_agentcore/new/, .dockerignore"
    )
    assert not transaction.restore(snap)  # nothing left to undo


def test_restore_removes_a_toolkit_tree_that_was_not_there(tmp_path: Path) -> None:
    (tmp_path / "agent.py").write_text("x = 1\n")
    snap = transaction.take(tmp_path)
    (tmp_path / ".bedrock_agentcore" / "a").mkdir(parents=True)
    (tmp_path / ".bedrock_agentcore" / "a" / "Dockerfile").write_text("FROM x\n")
    (tmp_path / ".bedrock_agentcore.yaml").write_text("agents: {}\n")
    done = transaction.restore(snap)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["agent.py"]
    assert done.describe() == "removed .bedrock_agentcore/, .bedrock_agentcore.yaml"


def test_symbolic_links_are_never_followed_written_or_removed(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("keep\n")
    project = tmp_path / "proj"
    project.mkdir()
    snap = transaction.take(project)
    (project / "link.txt").symlink_to(outside)  # appeared during the run, but a link: left alone
    (project / ".bedrock_agentcore").symlink_to(tmp_path)
    transaction.restore(snap)
    assert (project / "link.txt").is_symlink() and outside.read_text() == "keep\n"
    assert (project / ".bedrock_agentcore").is_symlink()


def test_a_large_file_is_not_kept_nor_rewritten(tmp_path: Path) -> None:
    big = tmp_path / "data.bin"
    big.write_bytes(b"\0" * (transaction.MAX_SAVED_BYTES + 1))
    snap = transaction.take(tmp_path)
    assert snap.files[Path("data.bin")].data is None
    big.write_bytes(b"changed")
    assert not transaction.restore(snap) and big.read_bytes() == b"changed"


def test_every_code_the_profile_reports_is_replaced_when_the_profile_is_rebuilt() -> None:
    # answers.reprofiled swaps the profile's findings for the rebuilt profile's: a new code in flows/profile.py
    # would otherwise be reported twice (or stale) after the toolkit ran.
    source = (Path(answers.__file__).parent / "profile.py").read_text()
    used = {Code(name) for name in re.findall(r"Code\.([A-Z_]+)", source)}
    assert used and used <= answers.PROFILE_CODES
