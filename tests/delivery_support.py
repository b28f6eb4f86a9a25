"""Helpers for the delivery tests: a template and a project made through the API, read back as JSON."""

TEMPLATE = {
    "name": "Banner print",
    "projectType": "banner",
    "description": "proof, approval, print",
    "stages": [
        {
            "stageCode": "design",
            "name": "Design proof",
            "slaHours": 48,
            "tasks": [
                {
                    "title": "Design proof",
                    "kind": "task",
                    "billingType": "hourly",
                    "hourlyRate": 80,
                    "dueOffsetDays": 1,
                    "estimatedHours": 3,
                },
                {
                    "title": "Proof approval",
                    "kind": "approval",
                    "billingType": "milestone",
                    "fixedAmount": 150,
                    "dueOffsetDays": 2,
                },
            ],
        },
        {
            "stageCode": "production",
            "name": "Print",
            "slaHours": 24,
            "tasks": [
                {
                    "title": "Print banner",
                    "kind": "task",
                    "billingType": "fixed",
                    "fixedAmount": 220,
                    "dueOffsetDays": 4,
                },
            ],
        },
    ],
}


def ok(response, status: int = 200):
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()["data"] if status != 204 else None


def make_project(client, headers, **project) -> dict:
    """A banner template and a project cloned from it; returns the project with its stages and tasks."""
    template = ok(client.post("/api/v1/templates", headers=headers, json=TEMPLATE), 201)
    body = {"name": "Shop banner", "templateId": template["id"], **project}
    return ok(client.post("/api/v1/projects", headers=headers, json=body), 201)


def task_named(project: dict, title: str) -> dict:
    return next(t for t in project["tasks"] if t["title"] == title)


def stage_coded(project: dict, code: str) -> dict:
    return next(s for s in project["stages"] if s["stageCode"] == code)


def move(client, headers, task_id: str, *statuses: str) -> dict:
    """Walks a task through statuses, each a PATCH the transition table must allow."""
    task = None
    for status in statuses:
        task = ok(client.patch(f"/api/v1/tasks/{task_id}", headers=headers, json={"status": status}))
    return task
