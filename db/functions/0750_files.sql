-- File metadata: an upload is pending until the service confirms the stored object's real size and checksum;
-- task attachments are at most 50 MB; every signed download is logged.

create or replace function internal.task_attachment_limit() returns bigint
language sql immutable parallel safe
begin atomic
    select 52428800::bigint;
end;

create or replace function internal.tg_files__size_limit() returns trigger
language plpgsql set search_path = ''
as $$
begin
    if new.task_id is not null and new.size_bytes > internal.task_attachment_limit() then
        raise exception using
            errcode = 'PT413',
            message = format('A task attachment is at most 50 MB (52,428,800 bytes); this one is %s bytes.', new.size_bytes);
    end if;
    if new.task_id is not null and new.project_id is null then
        select t.project_id into new.project_id from app.tasks as t where t.tenant_id = new.tenant_id and t.id = new.task_id;
    end if;
    return new;
end;
$$;

drop trigger if exists trg_files_100_size_limit on app.files;
create trigger trg_files_100_size_limit before insert or update on app.files
for each row execute function internal.tg_files__size_limit();

-- The project is the URL's; the body is typed by its shape (db/migrations/0016_shapes_delivery.sql). A task the
-- file is attached to must be one the caller may see, of that project.
drop function if exists api.create_file(jsonb);
create or replace function api.create_file(p_project_id uuid, p api.file_create)
returns table (file_id uuid, storage_key text)
language plpgsql volatile set search_path = ''
as $$
declare
    new_id uuid := gen_random_uuid();
    key text;
    task_project uuid;
begin
    perform internal.require_access('files', 'insert');
    if not exists (
        select from app.projects as pr where pr.tenant_id = internal.current_tenant_id() and pr.id = p_project_id
    ) then
        perform internal.not_found('project', p_project_id);
    end if;
    if p ->> 'task_id' is not null then
        select t.project_id into task_project from app.tasks as t
        where t.tenant_id = internal.current_tenant_id() and t.id = internal.visible_task((p ->> 'task_id')::uuid);
        if task_project <> p_project_id then
            raise exception using
                errcode = 'PT422', message = 'The task belongs to another project.', column = 'task_id',
                hint = 'Attach the file to a task of this project, or upload it to the task''s own project.';
        end if;
    end if;
    key := format('%s/%s/%s', internal.current_tenant_id(), new_id, p ->> 'file_name');
    insert into app.files (
        tenant_id, id, project_id, task_id, storage_key, file_name, content_type, size_bytes, visibility,
        uploaded_by_user_id
    ) values (
        internal.current_tenant_id(), new_id, p_project_id, (p ->> 'task_id')::uuid, key, p ->> 'file_name',
        coalesce(p ->> 'content_type', 'application/octet-stream'), (p ->> 'size')::bigint,
        coalesce(p ->> 'visibility', 'internal'), internal.current_user_id()
    );
    file_id := new_id;
    storage_key := key;
    return next;
end;
$$;

create or replace function api.confirm_file(p_id uuid, p_size_bytes bigint, p_checksum_sha256 text) returns uuid
language plpgsql volatile set search_path = ''
as $$
begin
    perform internal.require_access('files', 'update');
    update app.files as f set
        size_bytes = p_size_bytes, checksum_sha256 = p_checksum_sha256, state = 'available', confirmed_at = now()
    where f.tenant_id = internal.current_tenant_id() and f.id = p_id and f.state = 'pending';
    if not found then
        if exists (select from app.files as f where f.tenant_id = internal.current_tenant_id() and f.id = p_id) then
            raise exception using errcode = 'PT409', message = 'This upload was already confirmed or removed.';
        end if;
        perform internal.not_found('file', p_id);
    end if;
    return p_id;
end;
$$;

create or replace function api.discard_file(p_id uuid) returns uuid
language plpgsql volatile set search_path = ''
as $$
begin
    perform internal.require_access('files', 'delete');
    delete from app.files as f
    where f.tenant_id = internal.current_tenant_id() and f.id = p_id and f.state = 'pending';
    return p_id;
end;
$$;

create or replace function api.delete_file(p_id uuid) returns uuid
language plpgsql volatile set search_path = ''
as $$
begin
    perform internal.require_access('files', 'update');
    update app.files as f set state = 'deleted', deleted_at = now()
    where f.tenant_id = internal.current_tenant_id() and f.id = p_id and f.state <> 'deleted';
    if not found then
        perform internal.not_found('file', p_id);
    end if;
    return p_id;
end;
$$;

-- Signing a download is reading the file: it needs files:read (the log row is part of that read, in the same
-- transaction as the URL is handed out), and the file must be one the caller may see.
create or replace function api.log_file_access(p_file_id uuid) returns uuid
language plpgsql volatile set search_path = ''
as $$
begin
    perform internal.require_access('file_access_logs', 'insert');
    if not exists (
        select from app.files as f where f.tenant_id = internal.current_tenant_id() and f.id = p_file_id
    ) then
        perform internal.not_found('file', p_file_id);
    end if;
    if not exists (
        select from app.files as f
        where f.tenant_id = internal.current_tenant_id() and f.id = p_file_id and f.state = 'available'
    ) then
        raise exception using errcode = 'PT409', message = 'This file is not available for download.';
    end if;
    insert into app.file_access_logs (tenant_id, file_id, user_id, contact_id, ip)
    values (
        internal.current_tenant_id(), p_file_id, internal.current_user_id(), internal.current_contact_id(),
        internal.current_ip()
    );
    return p_file_id;
end;
$$;

grant execute on function internal.task_attachment_limit() to pgpsa_door_api;
