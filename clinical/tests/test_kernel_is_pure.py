"""The kernel imports nothing of Django or of the project's apps (DESIGN.md, layer 1)."""

import subprocess
import sys
from pathlib import Path

KERNEL = Path(__file__).resolve().parents[1]
FORBIDDEN = ("django", "ninja", "accounts", "audit", "patients", "courses", "infusions", "measures", "therapy",
             "inventory", "outcomes", "interop", "ketacare")


def test_no_kernel_module_imports_django_or_an_app():
    offenders = []
    for path in KERNEL.rglob("*.py"):
        if "tests" in path.parts:
            continue
        for line in path.read_text().splitlines():
            words = line.strip().split()
            if len(words) >= 2 and words[0] in {"import", "from"} and words[1].split(".")[0] in FORBIDDEN:
                offenders.append(f"{path.relative_to(KERNEL)}: {line.strip()}")
    assert offenders == []


def test_importing_every_kernel_module_loads_no_django():
    modules = sorted(
        ".".join(p.relative_to(KERNEL.parent).with_suffix("").parts)
        for p in KERNEL.rglob("*.py") if "tests" not in p.parts and p.name != "__init__.py"
    )
    code = "import importlib, sys\n" + "".join(f"importlib.import_module({m!r})\n" for m in modules) + \
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'django', 'ninja'}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=KERNEL.parent, check=True)
    assert out.stdout.strip() == "[]"
    assert len(modules) > 10
