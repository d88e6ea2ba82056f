"""Print which app imports which, read from the AST (tests and migrations left out).

Usage: python scripts/app_graph.py [--edges] [--cycles]
  default   one line per importing app: `app -> other(n) ...`, n = import statements naming `other`
  --edges   also list each module-level edge `module -> imported.module`
  --cycles  print only the pairs of apps that import each other (exit 1 if any)

Imports inside functions count too (a lazy import is still an arrow); `import_module("x.y")`
with a literal string counts as an import of `x`. The packages are every folder with an apps.py
(the apps and `ketacare`, the project glue above them), the `toolkit` below the apps and `clinical`.
"""

import ast
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BELOW_APPS = ("toolkit", "clinical")


def packages() -> list[str]:
    """Return the top-level packages of the project: every folder with an apps.py, the toolkit and clinical."""
    return sorted(p.name for p in ROOT.iterdir() if (p / "apps.py").exists() or p.name in BELOW_APPS)


def package_of(module: str, known: set[str]) -> str | None:
    top = module.split(".")[0]
    return top if top in known else None


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported(tree: ast.AST, here: str) -> list[str]:
    """Return the absolute module names one file imports (relative imports resolved)."""
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here.split(".")[: -node.level] if node.level else []
                found.append(".".join(base + ([node.module] if node.module else [])))
            elif node.module:
                found.append(node.module)
        elif isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == (
            "import_module"
        ):
            if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                found.append(node.args[0].value)
    return found


def source_files(package: str) -> list[Path]:
    files = []
    for path in sorted((ROOT / package).rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if "tests" in parts or "migrations" in parts or parts[-1] == "testing.py":
            continue
        files.append(path)
    return files


def graph() -> tuple[dict[str, Counter[str]], list[tuple[str, str]]]:
    known = set(packages())
    arrows: dict[str, Counter[str]] = defaultdict(Counter)
    edges: list[tuple[str, str]] = []
    for package in sorted(known):
        for path in source_files(package):
            here = module_name(path)
            source = package_of(here, known)
            for target_module in imported(ast.parse(path.read_text(encoding="utf-8")), here):
                target = package_of(target_module, known)
                if target and source and target != source:
                    arrows[source][target] += 1
                    edges.append((here, target_module))
    return arrows, edges


def cycles(arrows: dict[str, Counter[str]]) -> list[tuple[str, str]]:
    return sorted((a, b) for a in arrows for b in arrows[a] if a < b and a in arrows.get(b, {}))


def main(argv: list[str]) -> int:
    arrows, edges = graph()
    if "--cycles" in argv:
        pairs = cycles(arrows)
        for a, b in pairs:
            print(f"{a} <-> {b}  ({arrows[a][b]}/{arrows[b][a]})")
        print(f"{len(pairs)} pair(s) of packages import each other")
        return 1 if pairs else 0
    for source in sorted(arrows):
        targets = " ".join(f"{t}({n})" for t, n in sorted(arrows[source].items()))
        print(f"{source:<11} -> {targets}")
    if "--edges" in argv:
        for here, there in sorted(set(edges)):
            print(f"  {here} -> {there}")
    pairs = cycles(arrows)
    print(f"{len(pairs)} pair(s) import each other: " + ", ".join(f"{a}<->{b}" for a, b in pairs))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
