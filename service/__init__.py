"""pgpsa's thin HTTP service: authentication, validation and error shapes in front of PostgreSQL."""

from flask import Flask
from flask.sessions import SessionInterface

from service import config


class _NoSessions(SessionInterface):
    """Nothing here keeps state in Flask's signed-cookie session (tokens and the portal's own cookie carry it), and
    opening that session for every request, an empty one, cost 2 % of a GET /clients's Python: Flask's null
    session instead, which refuses to be written."""

    def open_session(self, app, request):
        return self.make_null_session(app)

    def save_session(self, app, session, response) -> None:
        pass


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(config.defaults())
    app.json.sort_keys = False
    app.session_interface = _NoSessions()
    if test_config:
        app.config.from_mapping(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = config.secret_key(app.instance_path)

    from service import auth, errors, local_files
    from service.api import openapi, surface
    from service.api.routes import ROUTES
    from service.portal import pages
    from service.portal.routes import PORTAL_ROUTES

    errors.register(app)
    auth.init_app(app)
    surface.register(app, ROUTES + PORTAL_ROUTES)
    app.register_blueprint(pages.bp)
    app.register_blueprint(local_files.bp)
    app.register_blueprint(openapi.bp)
    return app
