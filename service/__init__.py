"""pgpsa's thin HTTP service: authentication, validation and error shapes in front of PostgreSQL."""

from flask import Flask

from service import config


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(config.defaults())
    app.json.sort_keys = False
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
