"""Build the deterministic demo clinic: each app adds its part in its own `demo.py`.

An app module defines `build(ctx: DemoContext) -> None`; apps run in APPS order. The
context carries the clinic, one user per role, the patients with their planned stage,
a seeded random generator and `now`. Everything is written through services.
"""

from accounts.demo import DemoContext

# inventory before infusions: the safe is stocked before any infusion starts, and each start draws first (ADR 0015).
APPS = ["patients", "courses", "scheduling", "inventory", "infusions", "measures", "therapy", "outcomes", "interop"]

def build_apps(ctx: DemoContext) -> None:
    from toolkit.hooks import app_modules

    for app, module in app_modules("demo", APPS):
        ctx.progress(f"building {app}")
        module.build(ctx)
    for finish in ctx.after:
        finish()
