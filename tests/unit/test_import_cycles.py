"""The layering is checked on the imports themselves (parsed, not executed): the core never reaches into the
tasks, and no module imports, even lazily inside a function, a module that leads back to itself."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("penhas_api", "penhas_cli", "tasks")


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """Our modules that ``name`` imports anywhere in its body (top level, functions, conditionals)."""
    is_package = path.name == "__init__.py"
    out = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".") if is_package else name.split(".")[:-1]
                anchor = anchor[:len(anchor) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            # `from pkg import mod` imports the module pkg.mod; `from mod import func` imports mod.
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in MODULES:  # `import a.b.func`-like names: the module that holds it
                target = target.rpartition(".")[0]
            if target and target != name:
                out.add(target)
    return out


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def test_the_parser_sees_lazy_and_relative_imports():
    assert "penhas_api.app" in GRAPH["penhas_api"]  # a function-level import in penhas_api/__init__.py
    assert "penhas_api.core.queue" in GRAPH["tasks.sms"]
    assert "tasks.sms" in GRAPH["tasks"]


def test_core_never_imports_tasks():
    offenders = sorted(f"{name} -> {target}" for name, targets in GRAPH.items()
                       if name.startswith("penhas_api.core") for target in targets
                       if target == "tasks" or target.startswith("tasks."))
    assert offenders == []


def _cycles() -> list[list[str]]:
    """Every strongly connected group of two or more modules (Tarjan), each one an import circle."""
    index, low, on_stack, stack, groups = {}, {}, set(), [], []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in GRAPH[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(GRAPH):
        if node not in index:
            visit(node)
    return groups


def test_the_cycle_finder_finds_a_circle():
    GRAPH["tasks.sms"].add("tasks")  # tasks imports tasks.sms: a back edge closes a circle
    try:
        assert any({"tasks", "tasks.sms"} <= set(group) for group in _cycles())
    finally:
        GRAPH["tasks.sms"].discard("tasks")


def test_no_import_cycles():
    assert _cycles() == []
