"""No module of app/ imports upward against the layers (README, "Architecture").

Top down: routes, http plumbing, the CLI and the OpenAPI document -> services ->
repositories -> database, with the low building blocks (security, mail, schemas, models,
config, logs, metrics counters, problem documents, request ids) beside and below. The
rules extend /work/shared/tools/layer-check.py with the modules it does not place.
"""

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "app"
HIGH = ("app.routes", "app.http", "app.cli", "app.openapi")
MIDDLE = ("app.services", "app.repositories")
FORBIDDEN = {
    "app.http": ("app.routes", "app.cli"),
    "app.openapi": ("app.routes", "app.cli") + MIDDLE + ("app.database",),
    "app.services": HIGH,
    "app.repositories": HIGH + ("app.services",),
    "app.database": HIGH + MIDDLE,
    "app.migrations": HIGH + MIDDLE,
    "app.schemas": HIGH + MIDDLE + ("app.database",),
    "app.security": HIGH + MIDDLE + ("app.database",),
    "app.mail": HIGH + MIDDLE + ("app.database",),
    "app.models": HIGH + MIDDLE + ("app.database",),
    "app.config": HIGH + MIDDLE + ("app.database",),
    "app.metrics": HIGH + MIDDLE + ("app.database",),
    "app.logs": HIGH + MIDDLE + ("app.database",),
    "app.problems": HIGH + MIDDLE + ("app.database",),
    "app.framework_workarounds": HIGH + MIDDLE + ("app.database",),
    # The lowest: everything else may use it, it uses nothing of the app.
    "app.request_ids": ("app",),
}
# Services know the rules, not HTTP: these names must not be imported from flask there.
HTTP_NAMES = {"request", "Response", "abort", "make_response", "url_for"}


def module_name(path, root):
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts).removesuffix(".__init__")


def within(name, prefix):
    return name == prefix or name.startswith(prefix + ".")


def imports(tree, current, is_package):
    """Yield (module, name) for each import; name is None for `import module`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = current.split(".")
                parent = parts[: len(parts) - node.level + (1 if is_package else 0)]
                base = ".".join(parent + ([base] if base else []))
            for alias in node.names:
                yield base, alias.name


def upward_imports(root=APP):
    """Every `module -> imported` that breaks a rule, for the tree under `root`."""
    found = []
    for path in sorted(root.rglob("*.py")):
        current = module_name(path, root)
        rules = next((bad for layer, bad in FORBIDDEN.items() if within(current, layer)), ())
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for base, name in imports(tree, current, path.name == "__init__.py"):
            targets = [base] + ([f"{base}.{name}"] if name else [])
            if any(within(t, bad) and not within(t, current) for t in targets for bad in rules):
                found.append(f"{current} -> {targets[-1]}")
            if within(current, "app.services") and base == "flask" and name in HTTP_NAMES:
                found.append(f"{current} -> flask.{name}")
    return found


def test_app_imports_nothing_upward():
    assert upward_imports() == []


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("services/x.py", "from app.routes.users import blp\n"),
        ("services/x.py", "from flask import url_for\n"),
        ("repositories/x.py", "from ..services import audit\n"),
        ("mail/x.py", "import app.http.headers\n"),
        ("metrics.py", "from app.services.domain_errors import AuthenticationFailed\n"),
        ("request_ids.py", "from app import config\n"),
        ("http/x.py", "from app.routes import meta\n"),
    ],
)
def test_upward_import_is_found(tmp_path, module, source):
    root = tmp_path / "app"
    path = root / module
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source, encoding="utf-8")
    assert len(upward_imports(root)) == 1
