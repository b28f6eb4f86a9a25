"""The team API (/api/v1): one blueprint per resource, routes recorded for OpenAPI."""
