"""`pgpsa serve`: the app under gunicorn, gthread workers.

Why gunicorn with threads: a request is Python around one database round trip, so a process per core keeps the cores
busy with Python while threads wait on the database; gthread keeps HTTP connections alive (the sync worker closes
each), shuts down gracefully on SIGTERM (a worker finishes its requests, up to the graceful timeout), and is the
server most Flask deployments know. Every setting has a flag, an environment variable and a default from the cores.
"""

import os

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def defaults() -> dict:
    """Settings from the environment, else from the cores: a worker per core, four threads each."""
    env = os.environ.get
    return {
        "workers": int(env("PGPSA_WORKERS") or env("WEB_CONCURRENCY") or cores()),
        "threads": int(env("PGPSA_THREADS", "4")),
        "graceful_timeout": int(env("PGPSA_GRACEFUL_TIMEOUT", "30")),
        "timeout": int(env("PGPSA_WORKER_TIMEOUT", "30")),
        "keepalive": int(env("PGPSA_KEEPALIVE", "5")),
        "accesslog": env("PGPSA_ACCESS_LOG", "-"),
    }


class Server(BaseApplication):
    """The app, already made (by the CLI), served by gunicorn with the settings given."""

    def __init__(self, app, bind: str, **settings):
        self.app = app
        self.settings = {
            "bind": bind,
            "worker_class": "gthread",
            "logger_class": AccessLogger,
            "errorlog": "-",
            # The app (and its routes) is made once, before the fork; each worker opens its own pool after it.
            "preload_app": True,
            "post_worker_init": _warm,
            "worker_exit": _close,
            # A listening socket per worker (SO_REUSEPORT): the kernel spreads new connections over the workers. With
            # one shared socket, the worker that wakes first accepts a burst of keep-alive connections and keeps them:
            # under wrk one worker served 99 % of requests while the other idled.
            "reuse_port": True,
            # gunicorn 25.1+ listens on a control socket at one path per OS user, which two checkouts would share.
            "control_socket_disable": True,
            **settings,
        }
        if self.settings.get("accesslog") in ("", "off", "none"):
            self.settings["accesslog"] = None
        super().__init__()

    def load_config(self):
        for key, value in self.settings.items():
            if key in self.cfg.settings:  # an older gunicorn has no control socket to disable
                self.cfg.set(key, value)

    def load(self):
        return self.app


class AccessLogger(Logger):
    """gunicorn's logger, with each access line made from the fields it shows: the address, the request line, the
    status, the bytes sent, the time taken in milliseconds and the request id the service sets on every response
    (service/errors.py). gunicorn's own access() builds a dict of every request header, response header and WSGI
    environ entry and formats the date for each request, whatever the format uses: 0.25-0.6 ms of CPU a request,
    a tenth of GET /projects/{id}'s rate (bench-api with the log to a file, then off)."""

    def access(self, resp, req, environ, request_time):
        if not self.cfg.accesslog:  # off (serve's --access-log off)
            return
        try:
            status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
            request_id = next((v for k, v in resp.headers if k.lower() == "x-request-id"), "-")
            ms = request_time.seconds * 1000 + request_time.microseconds // 1000
            self.access_log.info(
                '%s "%s %s %s" %s %s %sms request_id=%s', environ.get("REMOTE_ADDR", "-"), environ["REQUEST_METHOD"],
                environ["RAW_URI"], environ["SERVER_PROTOCOL"], status, "-" if resp.sent is None else resp.sent, ms,
                request_id,
            )
        except Exception:  # as gunicorn's: a line that cannot be made is an error logged, never a failed request
            self.exception("access log")


def _warm(worker) -> None:
    """A worker's pool filled and the routes' models made before its first request, not during it."""
    from service.api.surface import surface
    from service.db import get_pool

    app = worker.wsgi
    with app.app_context():
        get_pool().wait(timeout=30)
        surface(app)


def _close(server, worker) -> None:
    from service.db import close_pool

    close_pool(worker.wsgi)
