"""Mail behind one adapter: SendGrid when SENDGRID_API_KEY is set, else the local outbox (app.outbound_mail
itself: a message is 'sent' when it is rendered and kept, and `pgpsa mail list/show` print it).

Messages are rendered from templates (Jinja2, service/templates/mail/<name>.txt whose first line is the subject,
and <name>.html, escaped), sent in the tenant's name from MAIL_FROM, with links that start at BASE_URL.
"""

from dataclasses import dataclass
from pathlib import Path

import jinja2
from sendgrid import SendGridAPIClient
from sendgrid.helpers.mail import CustomArg, From, Mail

from service import config

TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates" / "mail"),
    autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default_for_string=False),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass
class Message:
    id: str  # the outbound_mail row: its key with the provider, so a message is known if it went out already
    to_email: str
    to_name: str | None
    from_name: str
    subject: str
    text: str
    html: str


def render(mail: dict, settings: dict | None = None) -> Message:
    """A queued mail (api.mail_to_send's row) as the message it is: subject, text and HTML from its template."""
    settings = settings or config.defaults()
    context = {
        **mail["context"], "to_name": mail["to_name"] or mail["to_email"], "tenant_name": mail["tenant_name"],
        "base_url": settings["BASE_URL"], "stripe_on": bool(settings.get("STRIPE_API_KEY")),
    }
    subject, _, text = TEMPLATES.get_template(f"{mail['template']}.txt").render(context).partition("\n")
    html = TEMPLATES.get_template(f"{mail['template']}.html").render(context)
    return Message(str(mail["id"]), mail["to_email"], mail["to_name"], mail["tenant_name"],
                   subject.removeprefix("Subject: ").strip(), text.strip() + "\n", html)


class LocalOutbox:
    """The embedded default: the outbox table is the mailbox; nothing leaves the machine."""

    name = "local"

    def send(self, message: Message, resumed: bool) -> str:
        return f"local:{message.id}"


class SendGridMailer:
    """SendGrid's v3 API through its own library. A message carries its id as a custom arg; a send that a killed
    worker may have made is looked up first (the Email Activity API), so it is not sent a second time."""

    name = "sendgrid"

    def __init__(self, settings: dict):
        self.client = SendGridAPIClient(api_key=settings["SENDGRID_API_KEY"], host=settings["SENDGRID_HOST"])
        self.sender = settings["MAIL_FROM"]

    def _already_sent(self, message: Message) -> str | None:
        query = f'unique_args["pgpsa_mail_id"]="{message.id}"'
        try:
            found = self.client.client.messages.get(query_params={"query": query, "limit": 1})
        except Exception:  # noqa: BLE001 (no activity API on this account: it cannot be known; send again)
            return None
        messages = (found.to_dict or {}).get("messages") or []
        return messages[0].get("msg_id") if messages else None

    def send(self, message: Message, resumed: bool) -> str:
        if resumed and (sent := self._already_sent(message)):
            return sent
        mail = Mail(from_email=From(self.sender, message.from_name), to_emails=message.to_email,
                    subject=message.subject, plain_text_content=message.text, html_content=message.html)
        mail.custom_arg = CustomArg("pgpsa_mail_id", message.id)
        response = self.client.send(mail)
        return response.headers.get("X-Message-Id") or f"sendgrid:{message.id}"


def mailer(settings: dict | None = None):
    settings = settings or config.defaults()
    return SendGridMailer(settings) if settings.get("SENDGRID_API_KEY") else LocalOutbox()
