-- BI: clients of the login's tenant (no contact details, no tax id).

create or replace view bi.clients with (security_invoker = true) as
select
    c.id,
    c.account_code,
    c.name,
    c.channel,
    c.created_at,
    c.archived_at
from app.clients as c;

grant usage on schema bi to pgpsa_bi;
grant select on bi.clients to pgpsa_bi;
