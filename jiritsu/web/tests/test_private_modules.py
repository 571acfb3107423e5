"""No app reaches into another's private parts: a module or name starting with ``_`` is
imported only inside its own app. What apps share has a public home (e.g. the services'
guards in ``offices.guards``, the program screens' helpers in ``programs.views.common``).
Application code only: tests are left out, as they are of the import contracts (a test may
drive another app's test support)."""

from __future__ import annotations

import ast
from pathlib import Path

import jiritsu

ROOT = Path(jiritsu.__file__).parent


def _private(part: str) -> bool:
    return part.startswith("_") and not part.startswith("__")


def test_no_app_imports_another_apps_private_module_or_name() -> None:
    offenders = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if "tests" in parts or parts[-1] in ("testing", "conftest"):
            continue
        app = parts[0] if len(parts) > 1 else None
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                imports = [(node.module, [a.name for a in node.names])]
            elif isinstance(node, ast.Import):
                imports = [(a.name, []) for a in node.names]
            else:
                continue
            for module, names in imports:
                dotted = module.split(".")
                if dotted[0] != "jiritsu" or len(dotted) < 2 or dotted[1] == app:
                    continue
                private = [p for p in dotted[2:] if _private(p)] + [n for n in names if _private(n)]
                if private:
                    offenders.append(f"{path.relative_to(ROOT)}: {module} {private}")
    assert not offenders, "imports of another app's private parts: " + "; ".join(offenders)


# Where an import across apps may sit inside a function, and why (docs/architecture.md,
# "Import contracts"): ``AppConfig.ready`` wires apps together once they are loaded; the data
# migration backfills with a rule that moved up (its exception is in pyproject.toml).
FUNCTION_LEVEL_ALLOWED = {
    ("web/apps.py", "ready"), ("casework/apps.py", "ready"), ("programs/apps.py", "ready"),
    ("programs/migrations/0004_next_review_on.py", "backfill"),
}


def test_imports_across_apps_inside_functions_are_only_the_documented_ones() -> None:
    found = set()
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if "tests" in parts or parts[-1] in ("testing", "conftest"):
            continue
        app = parts[0] if len(parts) > 1 else None
        for fn in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(fn):
                if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    modules = [node.module]
                elif isinstance(node, ast.Import):
                    modules = [a.name for a in node.names]
                else:
                    continue
                for module in modules:
                    dotted = module.split(".")
                    if dotted[0] == "jiritsu" and len(dotted) > 1 and dotted[1] != app:
                        found.add((path.relative_to(ROOT).as_posix(), fn.name))
    assert found <= FUNCTION_LEVEL_ALLOWED, sorted(found - FUNCTION_LEVEL_ALLOWED)
