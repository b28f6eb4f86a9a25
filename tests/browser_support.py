"""Helpers for the portal's browser tests: the app served by a real WSGI server on a free port, Debian's Chromium
driven headless by Playwright, a local Stripe Checkout stand-in whose pay button sends the signed webhook, and
pages screenshotted and checked (one h1, every control labelled, no sideways scrolling) as they are visited."""

import html
import json
import re
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import parse_qsl

import requests
from billing_support import WEBHOOK_SECRET, checkout_completed, signed
from click.testing import CliRunner
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from service.cli import cli

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args) -> None:
        pass


class Served:
    """A WSGI app on 127.0.0.1 and a free port, in a thread, as `pgpsa serve` would answer a browser."""

    def __init__(self, app, name: str):
        self.server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_Quiet)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True, name=name)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join()


class CheckoutStandIn:
    """Stripe's API for Checkout Sessions (POST /v1/checkout/sessions, a repeated Idempotency-Key gets the same
    session back) and the hosted page it points the payer at: /c/pay/<id> shows the amount and a Pay button, which
    sends the signed checkout.session.completed event to `webhook_url` (as Stripe does) and then sends the payer
    back to the session's success_url; its Back link goes to the cancel_url."""

    def __init__(self):
        self.sessions: dict[str, dict] = {}  # by idempotency key
        self.webhook_url: str | None = None
        self.webhook_delay = 0.0  # seconds after the payer is sent back (Stripe's webhook comes when it comes)
        self.delivered: list[int] = []  # the service's answers to the webhooks sent
        self.served = Served(self._app, "checkout-standin")
        self.url = self.served.url

    def __enter__(self):
        self.served.__enter__()
        return self

    def __exit__(self, *exc):
        self.served.__exit__(*exc)

    def _app(self, environ, start_response):
        request = Request(environ)
        if request.method == "POST" and request.path == "/v1/checkout/sessions":
            form = dict(parse_qsl(request.get_data(as_text=True)))
            response = self._create(request.headers.get("Idempotency-Key"), form)
        elif request.path.startswith("/c/pay/"):
            session = next((s for s in self.sessions.values() if s["id"] == request.path[7:]), None)
            if session is None:
                response = Response("No such checkout", 404)
            elif request.method == "POST":
                response = self._pay(session)
            else:
                response = Response(self._page(session), content_type="text/html; charset=utf-8")
        else:
            response = Response('{"error": {"message": "unknown"}}', 404, content_type="application/json")
        return response(environ, start_response)

    def _create(self, key: str | None, form: dict) -> Response:
        if key not in self.sessions:
            sid = f"cs_test_{uuid.uuid4().hex[:16]}"
            self.sessions[key] = {
                "id": sid, "object": "checkout.session", "mode": "payment", "status": "open",
                "payment_status": "unpaid", "amount_total": int(form["line_items[0][price_data][unit_amount]"]),
                "currency": form["line_items[0][price_data][currency]"],
                "client_reference_id": form.get("client_reference_id"), "success_url": form["success_url"],
                "cancel_url": form["cancel_url"],
                "metadata": {k[9:-1]: v for k, v in form.items() if k.startswith("metadata[")},
                "url": f"{self.url}/c/pay/{sid}",
            }
        return Response(json.dumps(self.sessions[key]), content_type="application/json")

    def _page(self, session: dict) -> str:
        amount = f"{session['amount_total'] / 100:.2f} {session['currency'].upper()}"
        return (f'<!doctype html><html lang="en"><head><title>Checkout stand-in</title></head><body><main>'
                f"<h1>Pay {amount}</h1><form method=post><button>Pay {amount}</button></form>"
                f'<a href="{html.escape(session["cancel_url"])}">Back</a></main></body></html>')

    def _pay(self, session: dict) -> Response:
        event = checkout_completed(session["metadata"]["tenant_id"], session["metadata"]["invoice_id"],
                                   session["amount_total"])
        event["data"]["object"]["id"] = session["id"]
        payload, headers = signed(event, WEBHOOK_SECRET)

        def deliver():
            time.sleep(self.webhook_delay)
            self.delivered.append(requests.post(self.webhook_url, data=payload, headers=headers, timeout=10)
                                  .status_code)

        session.update(status="complete", payment_status="paid")
        threading.Thread(target=deliver, daemon=True).start()
        return Response("", 303, headers={"Location": session["success_url"]})


def magic_link(admin, email: str, base_url: str) -> str:
    """The sign-in link in the latest mail to this address, as `pgpsa mail show` prints it from the local outbox."""
    row = admin.execute("select id from app.outbound_mail where to_email = %s and template = 'portal_magic_link'"
                        " order by created_at desc limit 1", [email]).fetchone()
    assert row, f"no sign-in mail to {email}"
    shown = CliRunner().invoke(cli, ["mail", "show", str(row[0])], env={"BASE_URL": base_url})
    assert shown.exit_code == 0, shown.output
    found = re.search(r"^(http\S+/portal/auth/magic\?token=\S+)$", shown.output, re.M)
    assert found, shown.output
    return found.group(1)


def mailed_code(admin, email: str) -> str:
    """The code in the latest mail to this address (its subject, as `pgpsa mail show` prints it)."""
    row = admin.execute("select id from app.outbound_mail where to_email = %s and template = 'portal_code'"
                        " order by created_at desc limit 1", [email]).fetchone()
    assert row, f"no code mailed to {email}"
    shown = CliRunner().invoke(cli, ["mail", "show", str(row[0])])
    assert shown.exit_code == 0, shown.output
    return re.search(r"^Subject: .*: (\d{6})$", shown.output, re.M).group(1)


# Checked on every page a test visits: what a screen reader and a keyboard need, and that it fits the screen.
_CHECK = """() => {
  const problems = [];
  if (document.documentElement.lang !== 'en') problems.push('no lang');
  if (document.querySelectorAll('h1').length !== 1) problems.push('h1 count ' + document.querySelectorAll('h1').length);
  for (const el of document.querySelectorAll('input:not([type=hidden]), textarea, select')) {
    if (!(el.labels && el.labels.length) && !el.getAttribute('aria-label')) problems.push('unlabelled ' + el.name);
  }
  for (const el of document.querySelectorAll('button, a[href]')) {
    if (!(el.innerText || el.getAttribute('aria-label') || '').trim()) problems.push('nameless ' + el.outerHTML);
  }
  for (const el of document.querySelectorAll('img')) if (!el.hasAttribute('alt')) problems.push('img without alt');
  if (document.documentElement.scrollWidth > window.innerWidth + 1) problems.push('scrolls sideways');
  return problems;
}"""


class Visit:
    """A page of one test: every page it lands on is checked and saved as NN-<title>.jpg in `folder` (JPEG: as full-page
    PNGs the 60 screens cost the browser tests 3 s of a core)."""

    def __init__(self, page, folder: Path):
        self.page, self.folder, self.count = page, folder, 0
        folder.mkdir(parents=True, exist_ok=True)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.errors: list[str] = []

    def shot(self) -> None:
        self.page.wait_for_load_state()
        self.count += 1
        name = re.sub(r"[^a-z0-9]+", "-", self.page.title().lower()).strip("-")[:60] or "page"
        self.page.screenshot(path=self.folder / f"{self.count:02d}-{name}.jpg", full_page=True, quality=70)
        assert self.page.evaluate(_CHECK) == [], self.page.url
        assert self.errors == [], self.errors

    def goto(self, url: str):
        response = self.page.goto(url)
        self.shot()
        return response

    def click(self, locator) -> None:
        """Clicks something that loads a page (a link, a form's button), then checks and saves that page."""
        with self.page.expect_navigation():
            locator.click()
        self.shot()

    def press(self, key: str) -> None:
        """A key that loads a page (Enter on a focused button or link, or in a form's field)."""
        with self.page.expect_navigation():
            self.page.keyboard.press(key)
        self.shot()

    def heading(self) -> str:
        return self.page.locator("h1").inner_text()
