"""OpenAPI post-processing: document the error responses every endpoint can give."""

ERROR = {
    "description": "Error",
    "content": {"application/json": {"schema": {"type": "object", "properties": {"detail": {"type": "string"}}}}},
}
COMMON = {"401": "Not authenticated", "403": "Not allowed by the policy", "404": "Not found"}


def add_error_responses(result, generator, request, public):
    for path, ops in result.get("paths", {}).items():
        for method, op in ops.items():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            codes = dict(COMMON)
            if method in ("post", "patch", "put"):
                codes["400"] = "Invalid input"
            if path == "/api/token/":
                codes = {"400": "Wrong credentials"}
            for code, text in codes.items():
                op["responses"].setdefault(code, {**ERROR, "description": text})
    return result
