"""The shape of the code (docs/architecture.md): modules small enough to read, and subsidy/
made of packages per concern rather than files with a prefix in their name."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 500
# Not the project's code: virtualenv, caches, generated and collected files.
SKIPPED_DIRS = {"migrations", "__pycache__", "node_modules", "staticfiles", "media", "var"}
# What Django looks for at the top of an app; everything else there belongs in a package.
APP_MODULES = {"__init__.py", "apps.py", "admin.py", "models.py"}


def _modules():
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if any(part.startswith(".") or part in SKIPPED_DIRS for part in parts[:-1]):
            continue
        yield path


def _line_count(path: Path) -> int:
    with path.open("rb") as source:
        return sum(1 for _ in source)


def test_the_layout_check_sees_the_project():
    seen = {path.relative_to(ROOT).as_posix() for path in _modules()}
    assert {"manage.py", "config/settings.py", "tests/test_layout.py"} <= seen
    assert not any("/migrations/" in path or path.startswith(".venv/") for path in seen)


def test_no_module_outside_migrations_is_over_500_lines():
    too_long = {path.relative_to(ROOT).as_posix(): lines for path in _modules()
                if (lines := _line_count(path)) > MAX_LINES}
    assert too_long == {}, f"split these by topic into a package: {too_long}"


def test_subsidy_holds_packages_and_only_djangos_own_modules_at_its_top():
    subsidy = ROOT / "subsidy"
    stray_files = sorted(entry.name for entry in subsidy.iterdir()
                         if entry.is_file() and entry.name not in APP_MODULES)
    not_packages = sorted(entry.name for entry in subsidy.iterdir()
                          if entry.is_dir() and entry.name != "__pycache__"
                          and not (entry / "__init__.py").is_file())
    assert stray_files == [], "put these in the package of their concern"
    assert not_packages == []
