-- BI: clients of the login's tenant (no contact details, no tax id).

create or replace view bi.clients as
select
    c.id,
    c.account_code,
    c.name,
    c.channel,
    c.created_at,
    c.archived_at
from app.clients as c;
