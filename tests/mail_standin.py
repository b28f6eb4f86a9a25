"""A local stand-in for SendGrid's v3 API, enough for the real `sendgrid` library: POST /v3/mail/send (recorded,
202 with X-Message-Id, or 500 while `fail_next` counts down) and GET /v3/messages (the Email Activity query by the
pgpsa_mail_id custom arg). It counts every request it accepted, so a test sees a mail sent twice."""

import json
import re
import threading
import uuid

from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

_QUERY = re.compile(r'unique_args\["pgpsa_mail_id"\]="([^"]+)"')


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args) -> None:  # thousands of requests in a benchmark: no line each
        pass


class SendGridStandIn:
    def __init__(self):
        self.accepted: list[dict] = []  # each POST that was answered 202
        self.fail_next = 0
        self.lock = threading.Lock()
        self.server = make_server("127.0.0.1", 0, self._app, threaded=True, request_handler=_Quiet)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True, name="sendgrid-standin")

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join()

    def _app(self, environ, start_response):
        request = Request(environ)
        if request.method == "POST" and request.path == "/v3/mail/send":
            response = self._send(request.get_json())
        elif request.method == "GET" and request.path == "/v3/messages":
            found = _QUERY.search(request.args.get("query", ""))
            with self.lock:
                hits = [m for m in self.accepted if found and m["mail_id"] == found[1]]
            body = {"messages": [{"msg_id": m["msg_id"]} for m in hits]}
            response = Response(json.dumps(body), status=200, mimetype="application/json")
        else:
            response = Response("not found", status=404)
        return response(environ, start_response)

    def _send(self, body: dict) -> Response:
        with self.lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                return Response('{"errors": [{"message": "try again"}]}', status=500, mimetype="application/json")
            msg_id = uuid.uuid4().hex
            personalization = body["personalizations"][0]
            self.accepted.append({
                "msg_id": msg_id, "mail_id": (body.get("custom_args") or {}).get("pgpsa_mail_id"),
                "to": personalization["to"][0]["email"], "from": body["from"], "subject": body["subject"],
                "text": next(c["value"] for c in body["content"] if c["type"] == "text/plain"),
                "html": next(c["value"] for c in body["content"] if c["type"] == "text/html"),
            })
        return Response("", status=202, headers={"X-Message-Id": msg_id})

    def to(self, email: str) -> list[dict]:
        with self.lock:
            return [m for m in self.accepted if m["to"] == email]
