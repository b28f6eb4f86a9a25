"""Helpers for the contracts API tests: clients, a template with a fixed and an hourly line, a contract owned by a
client and its assignment, made through the API."""

import uuid
from datetime import date, timedelta

from delivery_support import ok

TEMPLATE = {
    "name": "Managed IT Services",
    "description": "monitoring and onsite support",
    "billingFrequency": "monthly",
    "lines": [
        {"name": "Monitoring", "lineType": "fixed", "amount": 1500},
        {"name": "Onsite support", "lineType": "hourly", "hourlyRate": 125},
    ],
}


def days(n: int) -> str:
    return (date.today() + timedelta(days=n)).isoformat()


def make_client(client, headers, name: str) -> dict:
    body = {"accountCode": "K" + uuid.uuid4().hex[:8].upper(), "name": name, "channel": "trade"}
    return ok(client.post("/api/v1/clients", headers=headers, json=body), 201)


def make_template(client, headers, **fields) -> dict:
    return ok(client.post("/api/v1/contract-templates", headers=headers, json={**TEMPLATE, **fields}), 201)


def instantiate(client, headers, template_id: str, client_id: str, **fields) -> dict:
    url = f"/api/v1/contract-templates/{template_id}/instantiate"
    return ok(client.post(url, headers=headers, json={"clientId": client_id, **fields}), 201)


def assign(client, headers, contract_id: str, client_id: str, **fields):
    """The raw response: some tests expect a refusal."""
    body = {"clientId": client_id, "startDate": days(-10), **fields}
    return client.post(f"/api/v1/contracts/{contract_id}/assignments", headers=headers, json=body)


def act(client, headers, client_contract_id: str, action: str, status: int = 200, **body):
    url = f"/api/v1/client-contracts/{client_contract_id}/{action}"
    return ok(client.post(url, headers=headers, json=body if action == "terminate" else None), status)
