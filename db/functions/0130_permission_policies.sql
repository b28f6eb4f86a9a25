-- One place for the permission policies every area puts on its tables: restrictive policies for pgpsa_staff that
-- ask internal.has_permission for reading (any of p_read) and for writing (any of p_write). Called by the area
-- files in db/policies/ while `db up` runs as the owner; granted to nobody.

create or replace function internal.permission_policies(p_table text, p_read text[], p_write text[]) returns void
language plpgsql volatile set search_path = ''
as $$
declare
    can_read text := (select string_agg(format('internal.has_permission(%L)', p), ' or ') from unnest(p_read) as p);
    can_write text := (select string_agg(format('internal.has_permission(%L)', p), ' or ') from unnest(p_write) as p);
begin
    execute format('drop policy if exists %1$s_read on app.%1$I', p_table);
    execute format(
        'create policy %1$s_read on app.%1$I as restrictive for select to pgpsa_staff using (%2$s)', p_table, can_read
    );
    execute format('drop policy if exists %1$s_write on app.%1$I', p_table);
    execute format(
        'create policy %1$s_write on app.%1$I as restrictive for insert to pgpsa_staff with check (%2$s)',
        p_table, can_write
    );
    execute format('drop policy if exists %1$s_update on app.%1$I', p_table);
    execute format(
        'create policy %1$s_update on app.%1$I as restrictive for update to pgpsa_staff using (%2$s)', p_table, can_write
    );
    execute format('drop policy if exists %1$s_delete on app.%1$I', p_table);
    execute format(
        'create policy %1$s_delete on app.%1$I as restrictive for delete to pgpsa_staff using (%2$s)', p_table, can_write
    );
end;
$$;
