"""The documentation says what the code does (sqlite-utils' test_docs habit)."""

from pathlib import Path

from zhian.cli import cli
from zhian.pipeline.metrics import catalogue

ROOT = Path(__file__).parent.parent


def test_metrics_page_carries_the_catalogue_as_the_code_has_it():
    assert catalogue.markdown_table() in (ROOT / "docs" / "metrics.md").read_text(encoding="utf-8")


def test_every_command_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = cli.commands
    missing = [name for name in commands if f"zhian {name}" not in readme]
    assert missing == []


def test_every_metric_relation_is_named_in_the_metrics_page():
    page = (ROOT / "docs" / "metrics.md").read_text(encoding="utf-8")
    relations = [p.name for p in (ROOT / "sql" / "metrics").glob("*.sql")] + ["compound_ranking.sql"]
    assert len(relations) > 8
    missing = [name for name in relations if name not in page]
    assert missing == []


def test_every_test_the_security_page_names_exists():
    import ast
    import re

    page = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    named = re.findall(r"`(tests/[\w/]+\.py)::(\w+)`", page)
    assert len(named) > 40
    defined: dict[str, set[str]] = {}
    for path, name in named:
        if path not in defined:
            tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
            defined[path] = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
        assert name in defined[path], f"{path}::{name}"
