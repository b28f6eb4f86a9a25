"""Clients and contacts through the API: CRUD, paging and filters, permissions, tenancy, conflicts."""

import uuid

import pytest
from concurrency_support import second_waits_for_first
from psycopg.types.json import Jsonb


def new_client(**overrides) -> dict:
    body = {"accountCode": "C" + uuid.uuid4().hex[:8].upper(), "name": "Client", "channel": "retail"}
    return {**body, **overrides}


@pytest.fixture
def staff(make_tenant, login):
    """A tenant with a manager, and the manager's headers."""
    t = make_tenant("manager", "sales", "designer", "finance")
    return t, login(t, "manager")


def test_create_get_patch_archive(client, staff):
    t, h = staff
    address = {"line1": "1 Main St", "postalCode": "12345", "country": "US"}
    r = client.post("/api/v1/clients", headers=h, json=new_client(name="Acme", billingAddress=address))
    assert r.status_code == 201
    created = r.get_json()["data"]
    assert created["name"] == "Acme" and created["billingAddress"]["postalCode"] == "12345"
    assert created["archivedAt"] is None and created["shippingAddress"] is None
    got = client.get(f"/api/v1/clients/{created['id']}", headers=h).get_json()["data"]
    assert got == created
    patched = client.patch(
        f"/api/v1/clients/{created['id']}", headers=h, json={"phone": "+1 555", "name": "Acme 2"}
    )
    assert patched.status_code == 200
    data = patched.get_json()["data"]
    assert (data["phone"], data["name"], data["channel"]) == ("+1 555", "Acme 2", "retail")
    cleared = client.patch(f"/api/v1/clients/{created['id']}", headers=h, json={"phone": None}).get_json()[
        "data"
    ]
    assert cleared["phone"] is None and cleared["name"] == "Acme 2"
    archived = client.post(f"/api/v1/clients/{created['id']}/archive", headers=h)
    assert archived.status_code == 200 and archived.get_json()["data"]["archivedAt"]


def test_paging_and_filters(client, staff):
    t, h = staff
    for i in range(5):
        client.post("/api/v1/clients", headers=h, json=new_client(name=f"Bakery {i}", channel="retail"))
    client.post(
        "/api/v1/clients", headers=h, json=new_client(name="Trade Co", channel="trade", accountCode="TR-1")
    )
    gone = client.post("/api/v1/clients", headers=h, json=new_client(name="Bakery old")).get_json()["data"]
    client.post(f"/api/v1/clients/{gone['id']}/archive", headers=h)

    def page(query):
        r = client.get("/api/v1/clients?" + query, headers=h)
        assert r.status_code == 200, r.get_json()
        return r.get_json()

    first = page("page[size]=2")
    assert len(first["data"]) == 2 and first["meta"] == {"page": {"number": 1, "size": 2}, "total": 6}
    assert len(page("page[size]=2&page[number]=3")["data"]) == 2
    assert page("page[size]=2&page[number]=4")["data"] == []
    assert page("")["meta"]["page"]["size"] == 25
    assert page("q=bakery")["meta"]["total"] == 5
    assert [c["name"] for c in page("q=tr-")["data"]] == ["Trade Co"]
    assert page("channel=trade")["meta"]["total"] == 1
    assert [c["name"] for c in page("archived=true")["data"]] == ["Bakery old"]
    assert page("q=%25")["meta"]["total"] == 0  # a literal %, not a wildcard


@pytest.mark.parametrize(
    "query",
    ["page[size]=101", "page[size]=0", "page[number]=0", "page[number]=x", "archived=maybe", "sort=name"],
)
def test_bad_queries_are_422(client, staff, problem, query):
    _, h = staff
    problem(client.get("/api/v1/clients?" + query, headers=h), 422)


def test_designer_cannot_create_and_nothing_is_written(client, make_tenant, login, count, problem):
    t = make_tenant("designer")
    before = count("clients", t)
    body = problem(client.post("/api/v1/clients", headers=login(t, "designer"), json=new_client()), 403)
    assert "clients:write" in body["detail"]
    assert count("clients", t) == before


def test_tax_id_only_for_finance_and_manager(client, staff, login):
    t, h = staff
    created = client.post("/api/v1/clients", headers=h, json=new_client(taxId="VAT-123")).get_json()["data"]
    assert created["taxId"] == "VAT-123"
    url = f"/api/v1/clients/{created['id']}"
    assert client.get(url, headers=login(t, "finance")).get_json()["data"]["taxId"] == "VAT-123"
    assert client.get(url, headers=login(t, "sales")).get_json()["data"]["taxId"] is None


def test_duplicate_account_code_is_409_with_words(client, staff, problem):
    _, h = staff
    client.post("/api/v1/clients", headers=h, json=new_client(accountCode="DUP-1"))
    body = problem(client.post("/api/v1/clients", headers=h, json=new_client(accountCode="DUP-1")), 409)
    assert body["code"] == "23505" and "account code" in body["detail"]


def test_check_constraint_is_422_with_words(client, staff, problem):
    _, h = staff
    body = problem(client.post("/api/v1/clients", headers=h, json=new_client(email="no-at-sign")), 422)
    assert body["code"] == "23514" and "@" in body["detail"]


def test_another_tenants_client_is_404_and_untouched(client, staff, make_tenant, login, count, problem):
    t, h = staff
    theirs = client.post("/api/v1/clients", headers=h, json=new_client(name="Theirs")).get_json()["data"]
    other = make_tenant("manager")
    oh = login(other, "manager")
    url = f"/api/v1/clients/{theirs['id']}"
    problem(client.get(url, headers=oh), 404)
    problem(client.patch(url, headers=oh, json={"name": "Mine"}), 404)
    problem(client.post(url + "/archive", headers=oh), 404)
    problem(client.get(url + "/contacts", headers=oh), 404)
    problem(client.post(url + "/contacts", headers=oh, json={"name": "Spy"}), 404)
    assert count("clients", other) == 0 and count("contacts", t) == 0
    assert client.get(url, headers=h).get_json()["data"]["name"] == "Theirs"


def test_contacts(client, staff, problem):
    _, h = staff
    c = client.post("/api/v1/clients", headers=h, json=new_client()).get_json()["data"]
    base = f"/api/v1/clients/{c['id']}/contacts"
    ana = client.post(base, headers=h, json={"name": "Ana", "email": "ana@x.test", "isPrimary": True})
    assert ana.status_code == 201
    ana = ana.get_json()["data"]
    assert ana["clientId"] == c["id"] and ana["isPrimary"] is True
    ben = client.post(base, headers=h, json={"name": "Ben", "role": "AP"}).get_json()["data"]
    body = problem(client.post(base, headers=h, json={"name": "Cy", "isPrimary": True}), 409)
    assert "primary" in body["detail"]
    listed = client.get(base + "?page[size]=1", headers=h).get_json()
    assert listed["meta"]["total"] == 2 and [x["name"] for x in listed["data"]] == ["Ana"]
    assert client.get(base + "?q=ana@", headers=h).get_json()["meta"]["total"] == 1
    patched = client.patch(f"/api/v1/contacts/{ben['id']}", headers=h, json={"phone": "+1 1"})
    assert patched.get_json()["data"]["phone"] == "+1 1"
    assert client.get(f"/api/v1/contacts/{ben['id']}", headers=h).get_json()["data"]["role"] == "AP"
    archived = client.post(f"/api/v1/contacts/{ana['id']}/archive", headers=h).get_json()["data"]
    assert archived["archivedAt"] and archived["isPrimary"] is False
    assert client.get(base + "?archived=true", headers=h).get_json()["meta"]["total"] == 1
    problem(client.get(f"/api/v1/contacts/{uuid.uuid4()}", headers=h), 404)
    problem(client.get(f"/api/v1/clients/{uuid.uuid4()}/contacts", headers=h), 404)


def test_a_contact_added_while_its_client_is_archived_waits_and_is_refused(client, make_tenant, login, admin,
                                                                           database_url):
    t = make_tenant("manager")
    h = login(t, "manager")
    c = client.post("/api/v1/clients", headers=h, json=new_client()).get_json()["data"]
    added = second_waits_for_first(
        database_url, t, ("select api.archive_client(%s)", [c["id"]]),
        ("select api.create_contact(%s, %s)", [c["id"], Jsonb({"name": "Late"})]),
    )
    active = admin.execute("select count(*) from app.contacts where client_id = %s and archived_at is null",
                           [c["id"]]).fetchone()[0]
    assert added == "PT409" and active == 0, "an archived client has no active contact"


def test_addresses_can_be_cleared(client, staff):
    _, h = staff
    body = new_client(billingAddress={"city": "Springfield"}, shippingAddress=None)
    r = client.post("/api/v1/clients", headers=h, json=body)
    assert r.status_code == 201, r.get_json()
    created = r.get_json()["data"]
    assert created["shippingAddress"] is None
    r = client.patch(f"/api/v1/clients/{created['id']}", headers=h, json={"billingAddress": None})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["data"]["billingAddress"] is None
