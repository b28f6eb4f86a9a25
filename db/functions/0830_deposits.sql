-- The deposit gate (seed 003 §5.2): a stage that requires the deposit waits while the project has a deposit invoice
-- that is not paid; paying it releases the stage.

create or replace function internal.deposit_outstanding(p_tenant_id uuid, p_project_id uuid) returns boolean
language plpgsql stable security definer set search_path = ''
as $$
begin
    return (
        select exists(
            select from app.invoices as i
            where
                i.tenant_id = p_tenant_id and i.project_id = p_project_id and i.kind = 'deposit'
                and i.status in ('draft', 'sent', 'partial')
        )
    );
end;
$$;

-- Starts the project's first pending stage that waits for the deposit, once the stages ahead are completed.
create or replace function internal.release_deposit_stage(p_tenant_id uuid, p_project_id uuid) returns void
language plpgsql volatile security definer set search_path = ''
as $$
declare
    waiting uuid;
begin
    if internal.deposit_outstanding(p_tenant_id, p_project_id) then
        return;
    end if;
    select s.id into waiting from app.stages as s
    where s.tenant_id = p_tenant_id and s.project_id = p_project_id and s.status = 'pending' and s.requires_deposit
      and not exists (
          select from app.stages as e
          where e.tenant_id = s.tenant_id and e.project_id = s.project_id and e.sequence < s.sequence
            and e.status <> 'completed'
      )
    order by s.sequence limit 1;
    if waiting is not null then
        update app.stages as s set status = 'active' where s.tenant_id = p_tenant_id and s.id = waiting;
    end if;
end;
$$;

grant execute on function internal.deposit_outstanding(uuid, uuid) to pgpsa_door_api;
