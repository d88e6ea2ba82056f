"""`ketacare serve`: KetaCare under gunicorn, the production WSGI server (not Django's development server).

Threaded workers (gthread): each worker thread keeps its database connection (CONN_MAX_AGE) and
each worker runs the audit trail's background sealer (ADR 0002). Static files are served by
whitenoise from inside the application, so nothing else needs configuring for the default install.
"""

import os
from typing import Any

from gunicorn.app.base import BaseApplication


def default_workers() -> int:
    """Two workers per core plus one, at least 2 and at most 9 (KETACARE_WORKERS overrides)."""
    if os.environ.get("KETACARE_WORKERS"):
        return max(1, int(os.environ["KETACARE_WORKERS"]))
    return max(2, min(2 * (os.cpu_count() or 1) + 1, 9))


def default_threads() -> int:
    return max(1, int(os.environ.get("KETACARE_THREADS", "4")))


def options(*, host: str, port: int, workers: int, threads: int, access_log: bool) -> dict[str, Any]:
    """The gunicorn settings `ketacare serve` runs with (README, "Production deployment")."""
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "timeout": 60,
        "graceful_timeout": 20,
        "keepalive": 5,
        "max_requests": 5000,  # recycle a worker now and then, jittered so they do not all restart at once
        "max_requests_jitter": 500,
        "accesslog": "-" if access_log else None,
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "ketacare",
        "control_socket_disable": True,  # several servers on one machine must not share its socket path
        "post_worker_init": _post_worker_init,
        "forwarded_allow_ips": os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
    }


def _post_worker_init(worker: Any) -> None:
    from audit.sealing import start_background_sealer

    start_background_sealer()


class KetaCareServer(BaseApplication):  # type: ignore[misc]
    """gunicorn configured in code; each worker imports the WSGI application after the fork."""

    def __init__(self, settings: dict[str, Any]) -> None:
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.settings.items():
            if key in self.cfg.settings:  # settings an older gunicorn lacks are left out
                self.cfg.set(key, value)

    def load(self) -> Any:
        import warnings

        # whitenoise serves the apps' static folders (finders); an absent STATIC_ROOT is expected.
        warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
        from ketacare.wsgi import application

        return application


def serve(**kwargs: Any) -> None:
    """Run gunicorn in the foreground until it is stopped (Ctrl-C or SIGTERM)."""
    KetaCareServer(options(**kwargs)).run()
