-- BI: clients of the login's tenant (no contact details, no tax id), the dimension the other bi views name by
-- client_id.

create or replace view bi.clients as
select
    c.id,
    c.account_code,
    c.name,
    c.channel,
    c.created_at,
    c.archived_at
from app.clients as c;

comment on view bi.clients is
'One row per client of the tenant, archived ones included: the client dimension (join other views on client_id).';
comment on column bi.clients.id is 'The client''s id (uuid); other bi views name it client_id.';
comment on column bi.clients.account_code is 'The client''s account code, unique in the tenant.';
comment on column bi.clients.name is 'The client''s name.';
comment on column bi.clients.channel is 'How the client came (retail, trade, web, ...), as the tenant records it.';
comment on column bi.clients.created_at is 'When the client was created (timestamp with time zone).';
comment on column bi.clients.archived_at is
'When the client was archived (timestamp with time zone); null while active.';
