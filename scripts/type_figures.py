"""Count `type: ignore` comments and parameters typed `Any` in the project's code (tests and migrations left out).

Usage: python scripts/type_figures.py [--per-package]

A parameter counts as `Any` when its annotation is `Any` or `typing.Any` itself (not `dict[str, Any]`);
`self`, `cls`, `*args` and `**kwargs` are counted among the parameters like any other.
"""

import ast
import io
import sys
import tokenize
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIP = {".venv", "var", "staticfiles", "node_modules", ".git"}


def source_files() -> list[Path]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if SKIP.intersection(parts) or "tests" in parts or "migrations" in parts:
            continue
        found.append(path)
    return found


def ignores(text: str) -> int:
    """The `# type: ignore` comments of one file (read from its comments, not its strings)."""
    count = 0
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.COMMENT and "type: ignore" in token.string:
            count += 1
    return count


def _is_any(annotation: ast.expr | None) -> bool:
    if isinstance(annotation, ast.Constant) and annotation.value == "Any":
        return True
    return (isinstance(annotation, ast.Name) and annotation.id == "Any") or (
        isinstance(annotation, ast.Attribute) and annotation.attr == "Any")


def parameters(tree: ast.AST) -> tuple[int, int]:
    """Return (parameters, parameters typed Any) of every function in a module."""
    total = typed_any = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            args = node.args
            every = [*args.posonlyargs, *args.args, *args.kwonlyargs,
                     *(a for a in (args.vararg, args.kwarg) if a is not None)]
            total += len(every)
            typed_any += sum(1 for a in every if _is_any(a.annotation))
    return total, typed_any


def main(argv: list[str]) -> None:
    per: Counter[str] = Counter()
    params: Counter[str] = Counter()
    anys: Counter[str] = Counter()
    for path in source_files():
        text = path.read_text(encoding="utf-8")
        package = path.relative_to(ROOT).parts[0] if len(path.relative_to(ROOT).parts) > 1 else "(top)"
        per[package] += ignores(text)
        total, typed_any = parameters(ast.parse(text))
        params[package] += total
        anys[package] += typed_any
    if "--per-package" in argv:
        for package in sorted(set(per) | set(params)):
            share = anys[package] / params[package] if params[package] else 0
            print(f"{package:<12} type-ignore {per[package]:>4}  params {params[package]:>5}  Any {anys[package]:>4} ({share:.0%})")
    total_params, total_any = sum(params.values()), sum(anys.values())
    print(f"type: ignore {sum(per.values())}")
    print(f"parameters {total_params}, typed Any {total_any} ({total_any / total_params:.1%})")


if __name__ == "__main__":
    main(sys.argv[1:])
