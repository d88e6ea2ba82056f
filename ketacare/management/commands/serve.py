"""`ketacare serve [--host] [--port] [--workers]`: serve KetaCare with gunicorn (ketacare/server.py)."""

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from ketacare.server import default_threads, default_workers, serve


class Command(BaseCommand):
    help = "Serve KetaCare with gunicorn (threaded workers, static files by whitenoise) for deployments."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to bind (default 127.0.0.1).")
        parser.add_argument("--port", type=int, default=8000, help="TCP port (default 8000).")
        parser.add_argument("--workers", type=int, default=None,
                            help=f"Worker processes (default {default_workers()}: 2 per core + 1, or KETACARE_WORKERS).")
        parser.add_argument("--threads", type=int, default=None,
                            help=f"Threads per worker (default {default_threads()}, or KETACARE_THREADS).")
        parser.add_argument("--access-log", action="store_true", help="Log every request to standard output.")

    def handle(self, *args: object, **options: object) -> None:
        workers = options["workers"] or default_workers()
        threads = options["threads"] or default_threads()
        port = options["port"]
        if not isinstance(port, int) or not 0 < port < 65536:
            raise CommandError("The port must be between 1 and 65535.")
        if not isinstance(workers, int) or not isinstance(threads, int) or workers < 1 or threads < 1:
            raise CommandError("--workers and --threads must be at least 1.")
        connections.close_all()  # no connection may cross the fork into the workers
        self.stdout.write(f"Serving KetaCare with gunicorn on http://{options['host']}:{port} "
                          f"({workers} workers x {threads} threads; Ctrl-C to stop)")
        self.stdout.flush()
        serve(host=str(options["host"]), port=port, workers=workers, threads=threads,
              access_log=bool(options["access_log"]))
