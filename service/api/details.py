"""What each resource answers: its api view, and the lists embedded in its detail."""

from service.api.surface import Embed, Read

CLIENT = Read("clients", "client")
CONTACT = Read("contacts", "contact")
TEMPLATE = Read("templates", "template")
STAGE = Read("stages", "stage")
# Tasks in their stage's order, then their own; RLS decides which (a designer: only their own).
_TASK_ORDER = "(select s.sequence from api.stages as s where s.id = stage_id), sequence, id"
PROJECT = Read("projects", "project", {
    "stages": Embed("stages", "project_id", "sequence"),
    "tasks": Embed("tasks", "project_id", _TASK_ORDER),
    "approvals": Embed("approvals", "project_id", "created_at, id"),
})
TASK = Read("tasks", "task")
TIME_ENTRY = Read("time_entries", "time entry")
COMMENT = Read("comments", "comment")
APPROVAL = Read("approvals", "approval")
INVOICE = Read("invoices", "invoice", {
    "lines": Embed("invoice_lines", "invoice_id", "sequence, id"),
    "payments": Embed("payment_applications", "invoice_id", "applied_at, id"),
})
PAYMENT = Read("payments", "payment", {"applications": Embed("payment_applications", "payment_id", "applied_at, id")})
CONTRACT_TEMPLATE = Read("contract_templates", "contract template")
CONTRACT = Read("contracts", "contract")
CLIENT_CONTRACT = Read("client_contracts", "client contract")
PRODUCT = Read("products", "product")
LEAD = Read("leads", "lead")
QUOTE = Read("quotes", "quote", {"items": Embed("quote_items", "quote_id", "sequence, id")})
ORDER = Read("orders", "order", {
    "items": Embed("order_items", "order_id", "sequence, id"),
    "job_tickets": Embed("job_tickets", "project_id", "generated_at, id", on="project_id"),
})
LOCATION = Read("inventory_locations", "location")
MOVEMENT = Read("stock_movements", "stock movement")
SALES_SETTINGS = Read("sales_settings", "sales settings", single=True)
ME = Read("me", "user", single=True)
FILE = Read("files", "file")
TASK_ACTIVITY = Read("task_activity", "activity")
QUOTE_ROW = Read("quotes", "quote")
ORDER_ROW = Read("orders", "order")
