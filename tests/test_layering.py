"""Apps import downward only (ARCHITECTURE.md): reports → workinggroups → members → mailings,
with `optonet`'s plumbing (settings, mail, privacy registry, admin site, celery) beneath them
all, and its composition root (urls, views, seed_demo) above them all. An upward import is
how two apps grow into one."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ORDER = ["optonet", "mailings", "members", "workinggroups", "reports"]
# optonet modules that compose the whole portal and may import every app.
COMPOSITION_ROOT = {
    "optonet/urls.py",
    "optonet/views.py",
    "optonet/admin_site.py",  # the office's admin over every app
    "optonet/management",
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_apps_import_downward_only():
    violations = []
    for app in ORDER:
        app_dir = ROOT / app
        if not app_dir.exists():
            continue
        higher = set(ORDER[ORDER.index(app) + 1 :])
        for path in app_dir.rglob("*.py"):
            relative = path.relative_to(ROOT).as_posix()
            if "migrations" in relative or any(
                relative.startswith(root) for root in COMPOSITION_ROOT
            ):
                continue
            upward = _imports(path) & higher
            if upward:
                violations.append(f"{relative} imports {sorted(upward)}")
    assert not violations, "\n".join(violations)
