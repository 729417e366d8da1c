"""What zhian imports is declared, and what it declares is locked (constraints.txt)."""

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
FIRST_PARTY = {"zhian", "tests"}


def _declared(extras: tuple[str, ...] = ()) -> dict[str, Requirement]:
    requirements = [Requirement(r) for r in PROJECT["dependencies"]]
    for extra in extras:
        requirements += [Requirement(r) for r in PROJECT["optional-dependencies"][extra]]
    return {canonicalize_name(r.name): r for r in requirements}


# the hostile-file corpus is for tests (`zhian fixtures --hostile` asks for the test extra)
TEST_ONLY = {ROOT / "fixtures" / "hostile.py"}


def _imports(*folders: str) -> set[str]:
    """Top-level modules imported by the files of these folders (but the test-only ones)."""
    names = set()
    for folder in folders:
        for path in (ROOT / folder).rglob("*.py"):
            if path not in TEST_ONLY:
                names |= _file_imports(path)
    return names


def _file_imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names - FIRST_PARTY - set(sys.stdlib_module_names)


def _distributions(modules: set[str]) -> set[str]:
    owners = importlib.metadata.packages_distributions()
    return {canonicalize_name(owners[m][0]) for m in modules if m in owners}


def test_every_module_the_code_imports_is_a_declared_dependency():
    runtime = _distributions(_imports("pipeline", "dashboards", "flows", "zhian", "sql", "fixtures"))
    assert runtime - set(_declared()) == set()
    tests = _distributions(_imports("tests") | {m for path in TEST_ONLY for m in _file_imports(path)})
    assert tests - set(_declared(("test",))) == set()
    benchmarks = _distributions(_imports("benchmarks"))
    assert benchmarks - set(_declared(("test", "bench"))) == set()


def test_every_declared_dependency_is_pinned_in_the_lock_within_its_range():
    pins = {
        canonicalize_name(name): version
        for name, version in re.findall(
            r"^([A-Za-z0-9_.-]+)==([^\s;]+)", (ROOT / "constraints.txt").read_text(encoding="utf-8"), re.M
        )
    }
    for name, requirement in _declared(tuple(PROJECT["optional-dependencies"])).items():
        assert name in pins, f"{name} is not in constraints.txt: compile it again (see its header)"
        assert requirement.specifier.contains(pins[name], prereleases=True), (name, pins[name])
