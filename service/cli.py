"""The `pgpsa` command: a Flask CLI group for the database, tenants, users, demo data and the server."""

import click
import psycopg
from flask.cli import FlaskGroup

from service import create_app
from service.admin import NOT_SET_UP, seed_demo, serve, tenant, user
from service.logins import app_login, bi_login
from service.migrate import db
from service.worker import mail, worker


def _create_app():
    return create_app()


class Group(FlaskGroup):
    """An operator reads one line saying what is wrong with the database, not a traceback."""

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
cli.add_command(db)
cli.add_command(tenant)
cli.add_command(user)
cli.add_command(seed_demo)
cli.add_command(serve)
cli.add_command(worker)
cli.add_command(mail)
cli.add_command(app_login)
cli.add_command(bi_login)


if __name__ == "__main__":
    cli()
