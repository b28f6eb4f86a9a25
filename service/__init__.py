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

    from service import auth, errors, local_files, webhooks
    from service.api import (
        approvals,
        clients,
        contracts,
        files,
        health,
        inventory,
        invoices,
        job_tickets,
        leads,
        openapi,
        orders,
        payments,
        products,
        projects,
        quotes,
        task_work,
        tasks,
        templates,
    )
    from service.api import auth as auth_api

    errors.register(app)
    auth.init_app(app)
    delivery = (templates.bp, projects.bp, tasks.bp, task_work.bp, files.bp, approvals.bp, local_files.bp)
    billing = (invoices.bp, payments.bp, webhooks.bp)
    sales = (products.bp, leads.bp, quotes.bp, orders.bp, job_tickets.bp, inventory.bp)
    for bp in (health.bp, auth_api.bp, clients.bp, *delivery, *billing, contracts.bp, *sales, openapi.bp):
        app.register_blueprint(bp)
    return app
