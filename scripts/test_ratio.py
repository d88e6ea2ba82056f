"""Print each app's test-to-code line ratio: lines under tests/ over the other Python lines (migrations left out).

Usage: python scripts/test_ratio.py [app ...]   (default: every app with an apps.py, the toolkit and the clinical kernel)
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _lines(path: Path) -> int:
    return sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


def measure(app: Path) -> tuple[int, int]:
    """Return (test lines, code lines) of one app, counting non-blank lines of .py files."""
    tests = code = 0
    for path in app.rglob("*.py"):
        parts = path.relative_to(app).parts
        if "migrations" in parts:
            continue
        if "tests" in parts:
            tests += _lines(path)
        else:
            code += _lines(path)
    return tests, code


def apps() -> list[Path]:
    return sorted(p for p in ROOT.iterdir() if (p / "apps.py").exists() or p.name in ("clinical", "toolkit"))


def main(names: list[str]) -> None:
    chosen = [ROOT / n for n in names] if names else apps()
    total_tests = total_code = 0
    for app in chosen:
        tests, code = measure(app)
        total_tests, total_code = total_tests + tests, total_code + code
        print(f"{app.name:<12} tests {tests:>6}  code {code:>6}  ratio {tests / code if code else 0:.2f}")
    print(f"{'all':<12} tests {total_tests:>6}  code {total_code:>6}  ratio {total_tests / total_code:.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
