-- How a contract header may move, as a global lookup like task_status_transitions and order_status_transitions:
-- draft -> published -> archived (a draft may be archived directly), never back.
-- depends: 0010_assignment_windows

create table app.contract_status_transitions (
    from_status text not null,
    to_status text not null,
    constraint pk_contract_status_transitions primary key (from_status, to_status)
);
insert into app.contract_status_transitions (from_status, to_status) values
('draft', 'published'), ('draft', 'archived'), ('published', 'archived');
