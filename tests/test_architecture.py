"""The domain stays free of the web framework, and each feature keeps to its own folder."""

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import cohorts

ROOT = Path(__file__).resolve().parents[1]
FRAMEWORKS = {"flask", "wtforms", "pylti1p3", "flask_sqlalchemy", "flask_wtf"}
#: Modules named like this hold pure rules: plain data in, plain data out, no database.
PURE_NAMES = {"rules", "engine", "scoring", "values", "baselines", "findings", "facts"}
#: Feature folders that must not reach into another feature's internals.
FORBIDDEN = {"exchange": {"formation"}, "formation": {"exchange"}}
MAX_MODULE_LINES = 300


def domain_modules() -> list[str]:
    return [m.name for m in pkgutil.walk_packages(cohorts.__path__, "cohorts.")]


def loaded_after_import(*modules: str) -> set[str]:
    code = "import sys\n" + "".join(f"import {m}\n" for m in modules)
    code += "print(' '.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return {name.split(".")[0] for name in out.stdout.split()}


def imported_by(path: Path) -> set[str]:
    """Every module a source file names in an import, resolved to its absolute name."""
    tree = ast.parse(path.read_text())
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def test_the_formation_and_exchange_features_import_without_the_web_framework():
    modules = domain_modules()
    assert {"cohorts.formation.engine", "cohorts.exchange.gifts", "cohorts.membership"} <= set(
        modules
    )
    assert not loaded_after_import(*modules) & FRAMEWORKS


def test_pure_modules_found_by_name_do_not_even_need_sqlalchemy():
    pure = [m for m in domain_modules() if m.rsplit(".", 1)[-1] in PURE_NAMES]
    assert {"cohorts.formation.engine", "cohorts.exchange.rules"} <= set(pure)
    for module in pure:
        assert "sqlalchemy" not in loaded_after_import(module), module


def test_features_do_not_import_each_other():
    for feature, banned in FORBIDDEN.items():
        for path in (ROOT / "cohorts" / feature).rglob("*.py"):
            for name in imported_by(path):
                parts = name.split(".")
                assert not (parts[0] == "cohorts" and len(parts) > 1 and parts[1] in banned), (
                    f"{path.relative_to(ROOT)} imports {name}"
                )


def test_nothing_in_the_domain_imports_a_web_library_even_lazily():
    for path in (ROOT / "cohorts").rglob("*.py"):
        roots = {name.split(".")[0] for name in imported_by(path)}
        assert not roots & FRAMEWORKS, path.relative_to(ROOT)


def test_modules_stay_small():
    for folder in ("cohorts", "lti_app", "sandbox"):
        for path in (ROOT / folder).rglob("*.py"):
            lines = len(path.read_text().splitlines())
            assert lines <= MAX_MODULE_LINES, f"{path.relative_to(ROOT)} has {lines} lines"
