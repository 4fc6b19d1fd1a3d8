"""The domain stays free of the web framework, so it runs and is measured without a server."""

import pkgutil
import subprocess
import sys

import cohorts

FRAMEWORKS = ("flask", "wtforms", "pylti1p3", "flask_sqlalchemy")
PURE = ("cohorts.formation", "cohorts.formation_quality", "cohorts.formation_csv")


def loaded_after_import(module: str) -> set[str]:
    code = f"import sys, {module}; print(' '.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return {name.split(".")[0] for name in out.stdout.split()}


def test_domain_modules_never_import_the_web_framework():
    modules = [m.name for m in pkgutil.walk_packages(cohorts.__path__, "cohorts.")]
    assert "cohorts.services" in modules
    code = "import sys\n" + "".join(f"import {m}\n" for m in modules)
    code += "print(' '.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = {name.split(".")[0] for name in out.stdout.split()}
    assert not loaded & set(FRAMEWORKS)


def test_pure_modules_do_not_even_need_sqlalchemy():
    for module in PURE:
        assert "sqlalchemy" not in loaded_after_import(module), module
