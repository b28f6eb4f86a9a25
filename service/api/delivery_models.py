"""Request and response shapes of the delivery API: templates, projects, stages, tasks, time, comments,
files and approvals. Rules (transitions, limits, who may see what) stay in the database; these are shapes."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field, PlainSerializer

from service.api.models import IsoDate, PageQuery, Text
from service.api.registry import ApiModel, InModel

Kind = Literal["task", "document", "approval"]
BillingType = Literal["non_billable", "fixed", "milestone", "hourly"]
TaskStatus = Literal[
    "todo", "in_progress", "blocked", "in_review", "completed", "approved", "client_approved", "cancelled"
]
Priority = Literal["low", "normal", "high", "urgent"]
ProjectStatus = Literal["planning", "active", "on_hold", "completed", "cancelled"]
Visibility = Literal["internal", "customer"]
# Hours are measures and leave as JSON numbers; money (fixed amounts, rates) leaves as exact decimal strings.
Hours = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]
Money = Annotated[Decimal, PlainSerializer(lambda d: f"{d:.2f}", return_type=str, when_used="json")]


class TemplateTaskIn(InModel):
    title: Text
    description: Text | None = None
    kind: Kind | None = None
    billing_type: BillingType | None = None
    fixed_amount: Decimal | None = None
    hourly_rate: Decimal | None = None
    due_offset_days: int | None = None
    estimated_hours: Decimal | None = None


class TemplateStageIn(InModel):
    stage_code: Text
    name: Text
    sla_hours: int
    tasks: list[TemplateTaskIn] = []


class TemplateCreate(InModel):
    name: Text
    project_type: Text
    description: Text | None = None
    stages: list[TemplateStageIn] = []


class TemplateTask(ApiModel):
    id: UUID
    sequence: int
    title: str
    description: str | None
    kind: str
    billing_type: str
    fixed_amount: Money | None
    hourly_rate: Money | None
    due_offset_days: int
    estimated_hours: Hours | None


class TemplateStage(ApiModel):
    id: UUID
    sequence: int
    stage_code: str
    name: str
    sla_hours: int
    tasks: list[TemplateTask]


class Template(ApiModel):
    id: UUID
    name: str
    project_type: str
    description: str | None
    is_active: bool
    stages: list[TemplateStage]
    created_at: datetime
    updated_at: datetime


class TemplateQuery(PageQuery):
    type: Text | None = Field(None, description="project type")


class ProjectPatch(InModel):
    name: Text | None = None
    due_date: IsoDate | None = None
    budget_hours: Decimal | None = None
    status: ProjectStatus | None = None


class ProjectCreate(InModel):
    name: Text
    project_type: Text | None = Field(None, description="defaults to the template's")
    client_id: UUID | None = None
    order_id: UUID | None = None
    template_id: UUID | None = Field(None, description="clone this template's stages and tasks")
    start_date: IsoDate | None = None
    due_date: IsoDate | None = None
    budget_hours: Decimal | None = None


class ProjectQuery(PageQuery):
    status: ProjectStatus | None = None
    due_before: IsoDate | None = None
    type: Text | None = Field(None, description="project type")
    customer_id: UUID | None = Field(None, description="the client's id")


class Stage(ApiModel):
    id: UUID
    project_id: UUID
    sequence: int
    stage_code: str
    name: str
    sla_hours: int
    status: str
    started_at: datetime | None
    due_at: datetime | None
    completed_at: datetime | None
    is_overdue: bool
    escalated_at: datetime | None


class Project(ApiModel):
    id: UUID
    project_code: str
    name: str
    project_type: str
    client_id: UUID | None
    order_id: UUID | None
    template_id: UUID | None
    status: str
    start_date: date
    due_date: date | None
    completed_at: datetime | None
    budget_hours: Hours | None
    actual_hours: Hours
    health: Literal["green", "yellow", "red"]
    overdue_tasks: int
    created_at: datetime
    updated_at: datetime


class _TaskFields(InModel):
    title: Text | None = None
    description: Text | None = None
    priority: Priority | None = None
    due_date: IsoDate | None = None
    estimated_hours: Decimal | None = None
    billing_type: BillingType | None = None
    fixed_amount: Decimal | None = None
    hourly_rate: Decimal | None = None
    assignee_ids: list[UUID] | None = Field(None, description="replaces the set of assignees")


class TaskPatch(_TaskFields):
    status: TaskStatus | None = None


class TaskCreate(_TaskFields):
    project_stage_id: UUID
    title: Text
    kind: Kind | None = None


class TaskQuery(PageQuery):
    assignee_id: UUID | None = None
    status: TaskStatus | None = None
    due_before: IsoDate | None = None
    project_id: UUID | None = None


class Task(ApiModel):
    id: UUID
    project_id: UUID
    stage_id: UUID
    sequence: int
    title: str
    description: str | None
    kind: str
    status: str
    priority: str
    due_date: date | None
    started_at: datetime | None
    completed_at: datetime | None
    estimated_hours: Hours | None
    actual_hours: Hours
    billing_type: str
    fixed_amount: Money | None
    hourly_rate: Money | None
    assignee_ids: list[UUID]
    invoice_id: UUID | None
    is_overdue: bool
    created_at: datetime
    updated_at: datetime


class TaskActivity(ApiModel):
    id: int
    task_id: UUID
    actor_user_id: UUID | None
    actor_contact_id: UUID | None
    action: str
    from_status: str | None
    to_status: str | None
    changes: dict
    occurred_at: datetime


class TimeEntryPatch(InModel):
    hours: Decimal | None = None
    work_date: IsoDate | None = None
    note: Text | None = None


class TimeEntryCreate(TimeEntryPatch):
    hours: Decimal
    user_id: UUID | None = Field(None, description="defaults to the signed-in user")


class TimeEntry(ApiModel):
    id: UUID
    task_id: UUID
    user_id: UUID
    work_date: date
    hours: Hours
    note: str | None
    created_at: datetime
    updated_at: datetime


class CommentCreate(InModel):
    body: Text
    client_visible: bool | None = None


class Comment(ApiModel):
    id: UUID
    task_id: UUID
    author_user_id: UUID | None
    author_contact_id: UUID | None
    body: str
    client_visible: bool
    created_at: datetime


class FileCreate(InModel):
    file_name: Text
    content_type: Text = "application/octet-stream"
    size: int = Field(gt=0, description="bytes; the signed upload admits no more")
    visibility: Visibility = "internal"
    task_id: UUID | None = Field(None, description="attach to this task (at most 50 MB)")


class FileUpload(ApiModel):
    file_id: UUID
    upload_url: str
    method: Literal["PUT", "POST"] = Field(description="POST: a multipart form with `fields` then `file`")
    fields: dict[str, str] | None = None
    headers: dict[str, str] | None = None
    expires_in: int


class File(ApiModel):
    id: UUID
    project_id: UUID | None
    task_id: UUID | None
    file_name: str
    content_type: str
    size_bytes: int
    checksum_sha256: str | None
    visibility: str
    state: str
    uploaded_by_user_id: UUID | None
    confirmed_at: datetime | None
    created_at: datetime
    download_url: str | None = Field(None, description="signed, 10 minutes; with include=downloadUrl")


class FileQuery(PageQuery):
    include: Literal["downloadUrl"] | None = None


class ApprovalCreate(InModel):
    approver_contact_id: UUID | None = None
    approver_email: Text | None = None
    expires_in_hours: int | None = Field(None, description="default 72")


class ApprovalRevision(ApiModel):
    revision_number: int
    comment: str | None
    requested_at: datetime


class Approval(ApiModel):
    id: UUID
    project_id: UUID
    stage_id: UUID
    status: str
    expires_at: datetime
    approver_contact_id: UUID | None
    approver_email: str | None
    requested_by: UUID | None
    decided_at: datetime | None
    decision_comment: str | None
    reminded_at: datetime | None
    created_at: datetime
    revisions: list[ApprovalRevision]


class ApprovalRequested(Approval):
    token: str = Field(description="shown once; only its hash is stored")
    decision_url: str


class DecisionIn(InModel):
    decision: Literal["approved", "revision"]
    comment: Text | None = None


class Decision(ApiModel):
    approval_id: UUID
    status: str
    stage_status: str


class ProjectDetail(Project):
    stages: list[Stage]
    tasks: list[Task] = Field(description="those the caller may see: a designer sees only theirs")
    approvals: list[Approval]
