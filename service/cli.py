"""The `pgpsa` command: a Flask CLI group for the database, tenants, users, demo data and the server."""

import importlib

import click
import psycopg
from flask.cli import FlaskGroup

from service.db import NOT_SET_UP

# Each command's module is imported when that command runs: `pgpsa worker --once` (run by cron, and dozens of times
# by the tests) imports no migration runner, server, token or password library (`pgpsa worker --help` took 0.67 s
# of a core with every command imported, 0.51 s so; medians of 8 on a slow 2-core host).
COMMANDS = {
    "db": "service.migrate:db", "tenant": "service.admin:tenant", "user": "service.admin:user",
    "seed-demo": "service.admin:seed_demo", "serve": "service.admin:serve", "worker": "service.worker:worker",
    "mail": "service.worker:mail", "app-login": "service.logins:app_login", "bi-login": "service.logins:bi_login",
}


def _create_app():
    from service import create_app

    return create_app()


class Group(FlaskGroup):
    """The commands, loaded when named; an operator reads one line saying what is wrong with the database, not a
    traceback."""

    def list_commands(self, ctx) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx, name: str):
        if name not in COMMANDS:
            return None
        module, _, attr = COMMANDS[name].partition(":")
        return getattr(importlib.import_module(module), attr)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except NOT_SET_UP as e:
            raise click.ClickException(f"The database is not set up ({_first_line(e)}): run `pgpsa db up`.") from e
        except psycopg.OperationalError as e:
            raise click.ClickException(f"Cannot reach the database: {_first_line(e)}") from e
        except psycopg.Error as e:
            raise click.ClickException(f"The database refused: {_first_line(e)}") from e


def _first_line(e: Exception) -> str:
    return (str(e).strip().splitlines() or [type(e).__name__])[0]


cli = Group(create_app=_create_app, add_default_commands=False, help=__doc__)


if __name__ == "__main__":
    cli()
