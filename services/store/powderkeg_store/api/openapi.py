"""The OpenAPI 3.1 document of the query API; the list filters are generated from their pydantic models, so the
document always lists the parameters the API really accepts."""

from __future__ import annotations

from typing import Any

from powderkeg_store.core.columns import ALERT_COLUMNS, EVENT_COLUMNS
from powderkeg_store.core.filters import AlertQuery, EventQuery, _Query


def _parameters(model: type[_Query]) -> list[dict[str, Any]]:
    schema = model.model_json_schema()
    out = []
    for name, prop in schema["properties"].items():
        description = prop.pop("description", "")
        if "items" in prop or (prop.get("type") == "array"):
            description = (description + " Comma-separated.").strip()
        out.append({"name": name, "in": "query", "required": False, "description": description,
                    "schema": {"type": "string"} if name in {"since", "until"} else prop})
    out.append({"name": "format", "in": "query", "required": False, "schema": {"enum": ["json", "csv"]}})
    return out


def _object(columns: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    return {"type": "object", "properties": {name: {"description": text} for name, text in columns}}


def openapi_document() -> dict[str, Any]:
    error = {"type": "object", "properties": {"error": {"type": "string"}, "field": {"type": "string"}}}

    def ok(description: str, schema: dict[str, Any], *, csv: bool = False) -> dict[str, Any]:
        content: dict[str, Any] = {"application/json": {"schema": schema}}
        if csv:
            content["text/csv"] = {"schema": {"type": "string"}}
        return {
            "200": {"description": description, "content": content},
            "400": {"description": "A bad filter", "content": {"application/json": {"schema": error}}},
            "401": {"description": "Missing or wrong bearer token"},
        }

    def page(item: str) -> dict[str, Any]:
        return {"type": "object", "properties": {
            "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{item}"}},
            "next_cursor": {"type": ["string", "null"]}}}

    path = {"name": "key", "in": "path", "required": True, "schema": {"type": "string"}}
    window = [{"name": n, "in": "query", "schema": {"type": "string"}, "description": "ISO 8601 or 24h, 7d ..."}
              for n in ("since", "until")]
    any_object = {"type": "object"}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Powderkeg query API", "version": "1",
                 "description": "Read-only access to stored alerts, events, pairs and sides of conflicts."},
        "components": {
            "schemas": {"Event": _object(EVENT_COLUMNS), "Alert": _object(ALERT_COLUMNS), "Error": error},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
        "paths": {
            "/v1/alerts": {"get": {"summary": "Alerts, latest activity (or most severe) first",
                                   "parameters": _parameters(AlertQuery), "responses": ok("A page", page("Alert"),
                                                                                          csv=True)}},
            "/v1/alerts/{key}": {"get": {"summary": "One alert with its revisions and events",
                                         "parameters": [path], "responses": ok("The alert", any_object)}},
            "/v1/events": {"get": {"summary": "Events, newest first", "parameters": _parameters(EventQuery),
                                   "responses": ok("A page", page("Event"), csv=True)}},
            "/v1/events/{key}": {"get": {"summary": "One event and the alerts it is part of",
                                         "parameters": [path], "responses": ok("The event", any_object)}},
            "/v1/pairs": {"get": {"summary": "Pairs of sides with stored events, latest first",
                                  "responses": ok("Pairs", any_object)}},
            "/v1/pairs/{key}": {"get": {"summary": "One pair", "parameters": [path],
                                        "responses": ok("The pair", any_object)}},
            "/v1/pairs/{key}/index": {"get": {"summary": "The pair's escalation index as a time series",
                                              "parameters": [path, *window], "responses": ok("Series", any_object)}},
            "/v1/sides": {"get": {"summary": "Conflict sides", "responses": ok("Sides", any_object)}},
            "/v1/sides/{key}": {"get": {"summary": "One side and its pairs", "parameters": [path],
                                        "responses": ok("The side", any_object)}},
            "/v1/map": {"get": {"summary": "Events per place", "parameters": window,
                                "responses": ok("Places", any_object)}},
            "/v1/stats": {"get": {"summary": "Counts for the console's header", "responses": ok("Counts", any_object)}},
            "/v1/stream": {"get": {"summary": "New and updated alerts, as Server-Sent Events",
                                   "responses": {"200": {"description": "text/event-stream"}}}},
        },
    }
