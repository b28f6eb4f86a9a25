"""The `pgpsa` command: a Flask CLI group for the database, tenants, users, demo data and the server."""

from flask.cli import FlaskGroup

from service import create_app
from service.admin import seed_demo, serve, tenant, user
from service.logins import app_login, bi_login
from service.migrate import db
from service.worker import worker


def _create_app():
    return create_app()


cli = FlaskGroup(create_app=_create_app, add_default_commands=False, help=__doc__)
cli.add_command(db)
cli.add_command(tenant)
cli.add_command(user)
cli.add_command(seed_demo)
cli.add_command(serve)
cli.add_command(worker)
cli.add_command(app_login)
cli.add_command(bi_login)
