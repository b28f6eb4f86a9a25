-- Demo clients and their contacts, written through the api as the demo manager (pgpsa seed-demo sets the context).
-- Idempotent: a client whose account code is taken, or a contact whose email the client has, is skipped.

select api.create_client(d.client)
from (
    values
    ('{"account_code": "ACME", "name": "Acme Signs", "channel": "trade", "phone": "+1 555 0100",
       "email": "orders@acme-signs.test", "tax_id": "US-11-2233445",
       "billing_address": {"line1": "1 Market St", "city": "Springfield", "postal_code": "12345", "country": "US"},
       "shipping_address": {"line1": "9 Dock Rd", "city": "Springfield", "postal_code": "12346", "country": "US"}
      }'::jsonb),
    ('{"account_code": "BLOOM", "name": "Bloom Florists", "channel": "retail", "phone": "+1 555 0101",
       "email": "hello@bloom.test",
       "billing_address": {"line1": "22 Garden Ave", "city": "Shelbyville", "country": "US"}}'::jsonb),
    ('{"account_code": "CITYHALL", "name": "City of Springfield", "channel": "government",
       "email": "procurement@springfield.test", "tax_id": "GOV-0001",
       "billing_address": {"line1": "100 Main St", "city": "Springfield", "country": "US"}}'::jsonb),
    ('{"account_code": "DELTA-EV", "name": "Delta Events", "channel": "agency", "phone": "+1 555 0103",
       "email": "studio@delta-events.test"}'::jsonb),
    ('{"account_code": "ECHO", "name": "Echo Coffee Roasters", "channel": "retail",
       "email": "team@echo-coffee.test"}'::jsonb),
    ('{"account_code": "FOXTROT", "name": "Foxtrot Fitness", "channel": "web", "phone": "+1 555 0105"}'::jsonb)
) as d (client)
where not exists (
    select from api.clients as c
    where c.account_code = d.client ->> 'account_code' and c.archived_at is null
);

select api.create_contact(c.id, d.contact)
from (
    values
    ('ACME', '{"name": "Ana Ortiz", "role": "Purchasing", "email": "ana@acme-signs.test", "is_primary": true}'::jsonb),
    ('ACME', '{"name": "Ben Cho", "role": "Accounts payable", "email": "ap@acme-signs.test"}'::jsonb),
    ('BLOOM', '{"name": "Carla Rossi", "role": "Owner", "email": "carla@bloom.test", "is_primary": true}'::jsonb),
    ('CITYHALL', '{"name": "Dev Patel", "role": "Procurement", "email": "dev@springfield.test",
                   "phone": "+1 555 0200", "is_primary": true}'::jsonb),
    ('CITYHALL', '{"name": "Erin Walsh", "role": "Communications", "email": "erin@springfield.test"}'::jsonb),
    ('DELTA-EV', '{"name": "Femi Adeyemi", "role": "Producer", "email": "femi@delta-events.test",
                   "is_primary": true}'::jsonb),
    ('ECHO', '{"name": "Gus Lind", "role": "Marketing", "email": "gus@echo-coffee.test", "is_primary": true}'::jsonb),
    ('FOXTROT', '{"name": "Hana Sato", "role": "Manager", "email": "hana@foxtrot.test", "is_primary": true}'::jsonb)
) as d (account_code, contact)
inner join api.clients as c on d.account_code = c.account_code and c.archived_at is null
where not exists (
    select from api.contacts as k
    where k.client_id = c.id and k.email = d.contact ->> 'email'
);
