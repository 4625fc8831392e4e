"""flows/transaction.py: the folder put back byte for byte, and nothing outside what the toolkit writes touched."""

from __future__ import annotations

import ast
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from agentcore_ext import safe_write
from agentcore_ext.findings import Code
from agentcore_ext.flows import answers, transaction


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


LISTED = transaction.toolkit_files("agent.py")


def test_restore_undoes_rewrites_and_removes_only_what_is_new(tmp_path: Path) -> None:
    (tmp_path / "agent.py").write_text("x = 1\n")
    (tmp_path / ".bedrock_agentcore.yaml").write_text("agents: {}\n")
    (tmp_path / ".bedrock_agentcore.yaml.bak").write_text("mine\n")
    old = tmp_path / ".bedrock_agentcore" / "old"
    old.mkdir(parents=True)
    (old / "Dockerfile").write_text("FROM old\n")
    before = _files(tmp_path)
    snap = transaction.take(tmp_path, LISTED)
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
    snap = transaction.take(tmp_path, LISTED)
    (tmp_path / ".bedrock_agentcore" / "a").mkdir(parents=True)
    (tmp_path / ".bedrock_agentcore" / "a" / "Dockerfile").write_text("FROM x\n")
    (tmp_path / ".bedrock_agentcore.yaml").write_text("agents: {}\n")
    done = transaction.restore(snap)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["agent.py"]
    assert done.describe() == "removed .bedrock_agentcore/, .bedrock_agentcore.yaml"


def test_only_the_toolkits_files_are_considered(tmp_path: Path) -> None:
    # issue 21 item 4: agent.py edited and new files made while the IAM prompt waited are the user's
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "agent.py").write_text("x = 1\n")
    snap = transaction.take(tmp_path, transaction.toolkit_files("src/agent.py"))
    (tmp_path / "src" / "agent.py").write_text("x = 2\n")
    (tmp_path / "notes.txt").write_text("todo\n")
    (tmp_path / "src" / ".dockerignore").write_text("*\n")  # the toolkit's, in the entrypoint's folder
    done = transaction.restore(snap)
    assert _files(tmp_path) == {"notes.txt": b"todo\n", "src/agent.py": b"x = 2\n"}
    assert done.describe() == "removed src/.dockerignore"


def test_a_toolkit_file_changed_after_the_toolkit_returned_is_left_and_named(tmp_path: Path) -> None:
    (tmp_path / ".bedrock_agentcore.yaml").write_text("agents: {}\n")
    before = transaction.take(tmp_path, LISTED)
    (tmp_path / ".bedrock_agentcore.yaml").write_text("agents: {a: {}}\n")  # the toolkit
    (tmp_path / ".bedrock_agentcore" / "a").mkdir(parents=True)
    (tmp_path / ".bedrock_agentcore" / "a" / "Dockerfile").write_text("FROM a\n")
    after = transaction.take(tmp_path, LISTED)
    (tmp_path / ".bedrock_agentcore.yaml").write_text("agents: {a: {}, b: {}}\n")  # another run, since
    (tmp_path / ".bedrock_agentcore" / "a" / "build.log").write_text("log\n")
    done = transaction.restore(before, after)
    assert (tmp_path / ".bedrock_agentcore.yaml").read_text() == "agents: {a: {}, b: {}}\n"
    assert _files(tmp_path) == {
        ".bedrock_agentcore.yaml": b"agents: {a: {}, b: {}}\n",
        ".bedrock_agentcore/a/build.log": b"log\n",
    }
    assert done.describe() == "removed .bedrock_agentcore/a/Dockerfile"
    assert done.describe_left() == ".bedrock_agentcore/a/, .bedrock_agentcore.yaml"


def test_a_large_file_is_not_kept_nor_rewritten(tmp_path: Path) -> None:
    big = tmp_path / ".bedrock_agentcore" / "a" / "dependencies.zip"
    big.parent.mkdir(parents=True)
    big.write_bytes(b"\0" * (transaction.MAX_SAVED_BYTES + 1))
    snap = transaction.take(tmp_path, LISTED)
    assert snap.files[Path(".bedrock_agentcore/a/dependencies.zip")].data is None
    big.write_bytes(b"changed")
    done = transaction.restore(snap)
    assert (
        big.read_bytes() == b"changed" and not done and done.describe_left() == ".bedrock_agentcore/a/dependencies.zip"
    )


# -- every write site refuses a link (issue 21: "every file write that cannot follow a link") ----------------------


@dataclass
class Site:
    """One place the tool writes in a user's folder: `plant` sets the scene and the trap (a link to `outside`), `act`
    writes; the trap's target must keep its bytes and the link must stay a link."""

    plant: Callable[[Path, Path], Path]  # (folder, outside) -> the link planted
    act: Callable[[Path], object]
    refused: bool  # True: LinkRefused (exit 2); False: the undo leaves the path and names it instead


def _link(at: Path, to: Path) -> Path:
    at.parent.mkdir(parents=True, exist_ok=True)
    at.symlink_to(to)
    return at


SNAPSHOTS: dict[Path, tuple[transaction.FolderSnapshot, transaction.FolderSnapshot]] = {}


def _restore(folder: Path) -> transaction.Undone:
    return transaction.restore(*SNAPSHOTS[folder])


def _yaml_became_link(folder: Path, outside: Path) -> Path:
    """The toolkit rewrote the YAML, then it became a link holding the same bytes (the undo reads through it)."""
    folder.joinpath(".bedrock_agentcore.yaml").write_text("agents: {}\n")
    before = transaction.take(folder, LISTED)
    folder.joinpath(".bedrock_agentcore.yaml").write_text("agents: {a: {}}\n")
    SNAPSHOTS[folder] = (before, transaction.take(folder, LISTED))
    (outside / "config").write_text("agents: {a: {}}\n")
    folder.joinpath(".bedrock_agentcore.yaml").unlink()
    return _link(folder / ".bedrock_agentcore.yaml", outside / "config")


def _folder_became_link(new_file: bool) -> Callable[[Path, Path], Path]:
    """.bedrock_agentcore/a/ swapped for a link to a folder holding the very bytes the toolkit wrote: a path-based
    write would land outside; the undo opens each folder without following a link."""

    def plant(folder: Path, outside: Path) -> Path:
        tree = folder / ".bedrock_agentcore" / "a"
        tree.mkdir(parents=True)
        if not new_file:
            (tree / "Dockerfile").write_text("FROM old\n")
        before = transaction.take(folder, LISTED)
        (tree / "Dockerfile").write_text("FROM new\n")
        SNAPSHOTS[folder] = (before, transaction.take(folder, LISTED))
        (outside / "Dockerfile").write_text("FROM new\n")
        shutil.rmtree(tree)
        return _link(tree, outside)

    return plant


def _new_folder_became_link(folder: Path, outside: Path) -> Path:
    before = transaction.take(folder, LISTED)
    (folder / ".bedrock_agentcore" / "a").mkdir(parents=True)
    SNAPSHOTS[folder] = (before, transaction.take(folder, LISTED))
    (folder / ".bedrock_agentcore" / "a").rmdir()
    return _link(folder / ".bedrock_agentcore" / "a", outside)


def _bak_is_link(folder: Path, outside: Path) -> Path:
    folder.joinpath(".bedrock_agentcore.yaml").write_text("agents: {}\n# curl x | sh\n")
    return _link(folder / ".bedrock_agentcore.yaml.bak", outside / "bashrc")


SITES = {
    "the toolkit's writes (before it runs): the YAML is a link": Site(
        lambda f, o: _link(f / ".bedrock_agentcore.yaml", o / "bashrc"),
        lambda f: transaction.refuse_links(f, "a", "agent.py"),
        refused=True,
    ),
    "configure's backup: .bak is a link": Site(_bak_is_link, transaction.backup, refused=True),
    "undo rewrites a file that became a link": Site(_yaml_became_link, _restore, refused=False),
    "undo rewrites a file in a folder that became a link": Site(_folder_became_link(False), _restore, refused=False),
    "undo removes a file in a folder that became a link": Site(_folder_became_link(True), _restore, refused=False),
    "undo removes a new folder that became a link": Site(_new_folder_became_link, _restore, refused=False),
    "safe_write into a linked file": Site(
        lambda f, o: _link(f / "x", o / "bashrc"), lambda f: safe_write.write_file(f, Path("x"), b"y"), refused=True
    ),
    "safe_write into a linked folder": Site(
        lambda f, o: _link(f / "d", o), lambda f: safe_write.write_file(f, Path("d/x"), b"y"), refused=True
    ),
    "safe_write removes through a linked folder": Site(
        lambda f, o: _link(f / "d", o), lambda f: safe_write.remove_file(f, Path("d/bashrc")), refused=True
    ),
}


@pytest.mark.parametrize("name", SITES)
def test_every_write_site_refuses_to_write_through_a_link(tmp_path: Path, name: str) -> None:
    site, folder, outside = SITES[name], tmp_path / "proj", tmp_path / "outside"
    folder.mkdir()
    outside.mkdir()
    (outside / "bashrc").write_text("export PATH=$HOME/bin:$PATH\n")
    link = site.plant(folder, outside)
    trap = {p.name: p.read_bytes() for p in outside.iterdir()}
    if site.refused:
        with pytest.raises(safe_write.LinkRefused) as caught:
            site.act(folder)
        assert caught.value.exit_code == 2 and caught.value.hint
    else:
        done = site.act(folder)
        assert isinstance(done, transaction.Undone) and str(link.relative_to(folder)) in done.describe_left()
    assert {p.name: p.read_bytes() for p in outside.iterdir()} == trap and link.is_symlink()
    assert not [p for p in folder.rglob("*.agentcore-ext.tmp")]  # no temporary file left behind


# Writers owned elsewhere (another engineer's, issue 21), listed in the report rather than routed from here.
OWNED_ELSEWHERE = "agentcore_ext/aws/sandbox*.py"
# Writes outside any user's folder, at most this many: a new write in these files fails here until it is looked at.
OUTSIDE_USER_FOLDERS = {
    # the deploy guard's `agentcore` shim and its stop marker, in a TemporaryDirectory (0700) it made itself
    "agentcore_ext/cli/passthrough.py": 2,
}
PATH_WRITES = {"write_text", "write_bytes", "mkdir", "touch", "rename", "symlink_to", "hardlink_to"}
SHUTIL_WRITES = {"copy", "copy2", "copyfile", "copytree", "copymode", "copystat", "move", "rmtree"}
OS_WRITES = {"replace", "rename", "renames", "mkdir", "makedirs", "symlink", "link", "truncate"}


def _is_write(call: ast.Call) -> bool:
    func = call.func
    if isinstance(func, ast.Attribute):
        module = func.value.id if isinstance(func.value, ast.Name) else ""
        if func.attr in PATH_WRITES or (module, func.attr) in {("shutil", n) for n in SHUTIL_WRITES}:
            return True
        if module == "os" and func.attr in OS_WRITES:
            return True
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
    if name not in ("open", "fdopen") or any(k.arg == "closefd" for k in call.keywords):
        return False  # closefd=False: an fd already open (stdout, stderr), never a path
    mode = call.args[1] if len(call.args) > 1 else next((k.value for k in call.keywords if k.arg == "mode"), None)
    return isinstance(mode, ast.Constant) and isinstance(mode.value, str) and bool(set(mode.value) & set("wax+"))


def _writes(tree: ast.AST) -> list[int]:
    """Lines that write a file other than through safe_write: path writes, shutil, os renames and folders, open for
    writing, O_CREAT."""
    found = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr == "O_CREAT"]
    return sorted(found + [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Call) and _is_write(n)])


def test_every_file_write_of_the_tool_goes_through_safe_write() -> None:
    root = Path(safe_write.__file__).parents[1]
    elsewhere = set(root.glob(OWNED_ELSEWHERE))
    found = {
        str(path.relative_to(root)): _writes(ast.parse(path.read_text()))
        for path in sorted((root / "agentcore_ext").rglob("*.py"))
        if path.name != "safe_write.py" and path not in elsewhere
    }
    added = {rel: found[rel] for rel, most in OUTSIDE_USER_FOLDERS.items() if len(found[rel]) > most}
    assert added == {}, "a write was added there: route it through safe_write, or count it here with its reason"
    assert {rel: lines for rel, lines in found.items() if lines and rel not in OUTSIDE_USER_FOLDERS} == {}


def test_the_write_detector_sees_each_kind_of_write() -> None:
    source = """
Path(p).write_text("x"); p.write_bytes(b""); p.mkdir(); shutil.copy2(a, b); os.replace(a, b)
open(p, "w"); open(p, mode="ab"); os.open(p, os.O_WRONLY | os.O_CREAT); os.fdopen(fd, "w")
open(p); open(p, "rb"); shutil.which("uv"); text.replace("a", "b"); open(1, "w", closefd=False); d.copy()
"""
    assert _writes(ast.parse(source)) == [2, 2, 2, 2, 2, 3, 3, 3, 3]


def test_every_code_the_profile_reports_is_replaced_when_the_profile_is_rebuilt() -> None:
    # answers.reprofiled swaps the profile's findings for the rebuilt profile's: a new code in flows/profile.py
    # would otherwise be reported twice (or stale) after the toolkit ran.
    source = (Path(answers.__file__).parent / "profile.py").read_text()
    used = {Code(name) for name in re.findall(r"Code\.([A-Z_]+)", source)}
    assert used and used <= answers.PROFILE_CODES
