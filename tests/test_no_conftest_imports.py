"""Test data comes from ``tests.factories`` and ``tests.builders``: a conftest module holds
fixtures, which pytest finds by itself, and nothing imports from one."""

import ast
from pathlib import Path

TESTS = Path(__file__).parent


def conftest_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        found += [f"{path.relative_to(TESTS.parent)}:{node.lineno} imports {name or '.'}"
                  for name in names if name.split(".")[-1] == "conftest"]
    return found


def test_no_module_imports_from_a_conftest():
    offenders = [hit for path in sorted(TESTS.rglob("*.py")) for hit in conftest_imports(path)]

    assert offenders == [], ("Import test data from tests.factories or tests.builders, "
                             "not from a conftest:\n" + "\n".join(offenders))
