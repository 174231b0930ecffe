#!/usr/bin/env python3
"""Holds harken serve to its OpenAPI document (Sources/HarkenServer/Studio/openapi.yaml).

    openapi_check.py validate-doc openapi.yaml
        the document is valid OpenAPI 3.1 (openapi-spec-validator)
    openapi_check.py routes openapi.yaml routes.json
        routes.json: [{"method": "GET", "path": "/api/v1/jobs/:id"}, ...], what the server registered;
        every documented operation is registered and every registered /api route is documented
    openapi_check.py exchanges [--require-all] openapi.yaml exchanges.jsonl
        each line {"method", "path" (as sent, query included), "status", "content_type", "body"
        (parsed JSON or null)[, "messages": [WebSocket text frames the server sent, parsed]]}:
        the status is documented for the operation the path matches, the content type is one it
        documents, and a JSON body (and each WebSocket message) validates against its schema.
        --require-all also fails when a documented (operation, status) was never exercised, which is
        how a test proves it reached every route and status.

Schemas are checked with jsonschema Draft 2020-12, formats (date-time) included. A schema carrying
`x-schema-file: Schemas/NAME.schema.json` is also checked against that file, so a shape defined once
for the CLI is not copied into the document. Prints one line per failure; exits 1 on any.
"""
import argparse, json, os, re, sys
from urllib.parse import unquote, urlsplit

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOC_URI = "urn:harken:studio-openapi"
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


def load_doc(path):
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def validate_doc(doc):
    from openapi_spec_validator import OpenAPIV31SpecValidator
    problems = []
    if doc.get("openapi") != "3.1.0":
        problems.append(f"openapi: expected 3.1.0, got {doc.get('openapi')!r}")
    # Response codes must be strings: YAML reads an unquoted 200 as an int, which tools disagree on
    # (and which crashes the spec validator), so report them and validate with them quoted.
    for path, item in (doc.get("paths") or {}).items():
        for method in METHODS:
            responses = (item.get(method) or {}).get("responses") or {}
            for status in list(responses):
                if not isinstance(status, str):
                    problems.append(f"{method.upper()} {path}: response code {status!r} is not quoted")
                    responses[str(status)] = responses.pop(status)
    try:
        for e in OpenAPIV31SpecValidator(doc).iter_errors():
            where = "/".join(str(p) for p in e.absolute_path) or "(document)"
            problems.append(f"{where}: {e.message}")
    except Exception as e:  # the validator itself failing is a failure too, never a pass
        problems.append(f"openapi-spec-validator could not finish: {type(e).__name__}: {e}")
    return problems


# --- templates -----------------------------------------------------------------------------------

def normalise(path):
    """A path template with its parameter names erased: /jobs/{id} and /jobs/:id both give /jobs/{}."""
    path = path.split("?", 1)[0]
    if len(path) > 1:
        path = path.rstrip("/")
    segments = []
    for s in path.split("/"):
        if re.fullmatch(r"\{[^}/]+\}", s) or re.fullmatch(r":[^/]+", s):
            segments.append("{}")
        else:
            segments.append(s)
    return "/".join(segments)


def operations(doc):
    """(METHOD, template) -> operation, in document order."""
    ops = {}
    for template, item in doc.get("paths", {}).items():
        for method in METHODS:
            if method in item:
                ops[(method.upper(), template)] = item[method]
    return ops


def match(ops, method, raw_path):
    """The documented template a concrete path falls under; literal segments win over parameters."""
    segments = raw_path.rstrip("/").split("/") if raw_path != "/" else [""]
    best = None
    for (m, template) in ops:
        if m != method:
            continue
        t = template.split("/")
        if len(t) != len(segments):
            continue
        literal = 0
        for ts, s in zip(t, segments):
            if re.fullmatch(r"\{[^}/]+\}", ts):
                if s == "":
                    break
            elif ts == unquote(s):
                literal += 1
            else:
                break
        else:
            if best is None or literal > best[0]:
                best = (literal, template)
    return best[1] if best else None


# --- schemas -------------------------------------------------------------------------------------

def schema_files():
    """$id -> contents of every Schemas/*.schema.json, and relative path -> $id."""
    ids, by_path = {}, {}
    folder = os.path.join(ROOT, "Schemas")
    for name in sorted(os.listdir(folder)):
        if name.endswith(".schema.json"):
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                schema = json.load(f)
            ids[schema["$id"]] = schema
            by_path["Schemas/" + name] = schema["$id"]
    return ids, by_path


def link_schema_files(node, by_path, problems, where="#"):
    """Turns x-schema-file into an allOf $ref to that file, in place."""
    if isinstance(node, dict):
        if "x-schema-file" in node:
            target = by_path.get(node["x-schema-file"])
            if target is None:
                problems.append(f"{where}: x-schema-file {node['x-schema-file']} is not a file in Schemas/")
            else:
                node.setdefault("allOf", []).append({"$ref": target})
        for k, v in node.items():
            link_schema_files(v, by_path, problems, f"{where}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            link_schema_files(v, by_path, problems, f"{where}/{i}")


def pointer(*parts):
    return "#/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)


class Schemas:
    def __init__(self, doc):
        self.problems = []
        ids, by_path = schema_files()
        link_schema_files(doc, by_path, self.problems)
        resources = [(DOC_URI, Resource(contents=doc, specification=DRAFT202012))]
        resources += [(i, Resource.from_contents(s)) for i, s in ids.items()]
        self.registry = Registry().with_resources(resources)
        self.cache = {}
        checker = Draft202012Validator.FORMAT_CHECKER
        if "date-time" not in checker.checkers:
            sys.exit("openapi_check.py: jsonschema cannot check date-time here (install rfc3339-validator)")
        self.checker = checker

    def errors(self, ref, instance):
        """Validation errors of instance against the schema at ref (a '#/...' pointer into the document)."""
        if ref not in self.cache:
            self.cache[ref] = Draft202012Validator({"$ref": DOC_URI + ref}, registry=self.registry,
                                                   format_checker=self.checker)
        errors = self.cache[ref].iter_errors(instance)
        return sorted(errors, key=lambda e: [str(p) for p in e.absolute_path])


def describe(error):
    """The deepest useful error. A failed oneOf says little; for a union told apart by a `type` or
    `kind` const (the WebSocket messages, JobRequest), the branch whose const matched says why."""
    while error.context:
        branches = {}
        for e in error.context:
            branches.setdefault(e.schema_path[0], []).append(e)
        def tag_missed(errors):
            return any(len(e.relative_path) == 1 and e.relative_path[0] in ("type", "kind")
                       and e.validator == "const" for e in errors)
        matched = [errs for errs in branches.values() if not tag_missed(errs)]
        if len(matched) != 1:
            break
        error = sorted(matched[0], key=lambda e: [str(p) for p in e.absolute_path])[0]
    where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
    return f"{where}: {error.message}"


# --- commands ------------------------------------------------------------------------------------

def check_routes(doc, routes):
    documented = {}
    for (method, template) in operations(doc):
        documented[(method, normalise(template))] = template
    registered = {}
    ignored = []
    for r in routes:
        key = (r["method"].upper(), normalise(r["path"]))
        # Static files (the page) are served outside /api and are not part of the API.
        if not key[1].startswith("/api/"):
            ignored.append(f"{key[0]} {r['path']}")
            continue
        registered[key] = r["path"]
    problems = []
    for key in sorted(set(documented) - set(registered)):
        problems.append(f"documented but not registered: {key[0]} {documented[key]}")
    for key in sorted(set(registered) - set(documented)):
        problems.append(f"registered but not documented: {key[0]} {registered[key]}")
    return problems, ignored, len(set(documented) & set(registered))


def media_type(content_type):
    return (content_type or "").split(";", 1)[0].strip().lower()


def media_matches(actual, documented):
    if documented == actual:
        return True
    if documented.endswith("/*"):
        return actual.startswith(documented[:-1])
    return documented == "*/*"


def is_json(mt):
    return mt == "application/json" or mt.endswith("+json")


def response_for(op, status):
    responses = op.get("responses", {})
    for key in (str(status), f"{str(status)[0]}XX", "default"):
        if key in responses:
            return key, responses[key]
    return None, None


def resolve(doc, node):
    """Follows a local $ref (components/responses) to what it names."""
    while isinstance(node, dict) and "$ref" in node and node["$ref"].startswith("#/"):
        target = doc
        for part in node["$ref"][2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def check_exchange(doc, ops, schemas, ex, exercised):
    method = str(ex.get("method", "")).upper()
    raw = str(ex.get("path", ""))
    status = ex.get("status")
    label = f"{method} {raw} {status}"
    path = urlsplit(raw).path
    template = match(ops, method, path)
    if template is None:
        return [f"{label}: no documented operation matches {method} {path}"]
    op = ops[(method, template)]
    key, response = response_for(op, status)
    if response is None:
        documented = ", ".join(sorted(op.get("responses", {})))
        return [f"{label}: status {status} is not documented for {method} {template} (documented: {documented})"]
    exercised.add((method, template, key))
    response = resolve(doc, response)
    content = response.get("content") or {}
    mt = media_type(ex.get("content_type"))
    body = ex.get("body")
    problems = []
    if not content:
        if body is not None:
            problems.append(f"{label}: {method} {template} documents no body for {status}, got one")
    else:
        documented = [m for m in content if media_matches(mt, m)] if mt else []
        if not documented:
            problems.append(f"{label}: content type {ex.get('content_type')!r} is not among {sorted(content)}")
        elif is_json(mt) or is_json(documented[0]):
            if body is None:
                problems.append(f"{label}: expected a JSON body ({mt}), got none")
            elif "schema" in content[documented[0]]:
                ref = response_location(op["responses"][key], template, method, key) + \
                    pointer("content", documented[0], "schema")[1:]
                for e in schemas.errors(ref, body):
                    problems.append(f"{label}: {describe(e)}")
    messages = ex.get("messages")
    if messages is not None:
        target = (op.get("x-websocket-messages") or {}).get("server")
        if not op.get("x-websocket") or not target:
            problems.append(f"{label}: WebSocket messages recorded, but {method} {template} is not a WebSocket with server messages")
        else:
            for i, message in enumerate(messages):
                for e in schemas.errors(target, message):
                    problems.append(f"{label}: message {i} ({message.get('type') if isinstance(message, dict) else '?'}): {describe(e)}")
    return problems


def response_location(node, template, method, key):
    """Where the response object lives: inline under the operation, or where its $ref points."""
    if isinstance(node, dict) and "$ref" in node:
        return node["$ref"]
    return pointer("paths", template, method.lower(), "responses", key)


def check_exchanges(doc, lines, require_all):
    ops = operations(doc)
    schemas = Schemas(doc)
    problems = list(schemas.problems)
    exercised = set()
    count = 0
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            ex = json.loads(line)
        except json.JSONDecodeError as e:
            problems.append(f"line {n}: not JSON: {e}")
            continue
        count += 1
        problems += check_exchange(doc, ops, schemas, ex, exercised)
    missing = []
    if require_all:
        for (method, template), op in ops.items():
            for status in op.get("responses", {}):
                if (method, template, str(status)) not in exercised:
                    missing.append(f"never exercised: {method} {template} {status}")
    return problems, missing, count, len(exercised)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    v = sub.add_parser("validate-doc")
    v.add_argument("doc")
    r = sub.add_parser("routes")
    r.add_argument("doc")
    r.add_argument("routes")
    e = sub.add_parser("exchanges")
    e.add_argument("--require-all", action="store_true")
    e.add_argument("doc")
    e.add_argument("exchanges")
    args = ap.parse_args()
    doc = load_doc(args.doc)

    if args.command == "validate-doc":
        problems = validate_doc(doc)
        for p in problems:
            print(p)
        if problems:
            sys.exit(1)
        print(f"{args.doc}: valid OpenAPI {doc['openapi']}, {len(operations(doc))} operations")
        return

    if args.command == "routes":
        with open(args.routes, encoding="utf-8") as f:
            routes = json.load(f)
        problems, ignored, matched = check_routes(doc, routes)
        for i in ignored:
            print(f"ignored (outside /api): {i}")
        for p in problems:
            print(p)
        if problems:
            sys.exit(1)
        print(f"{args.routes}: all {matched} routes documented and registered")
        return

    with open(args.exchanges, encoding="utf-8") as f:
        lines = f.read().splitlines()
    problems, missing, count, pairs = check_exchanges(doc, lines, args.require_all)
    for p in problems + missing:
        print(p)
    if problems or missing:
        sys.exit(1)
    total = sum(len(op.get("responses", {})) for op in operations(doc).values())
    print(f"{args.exchanges}: {count} exchanges conform; {pairs} of {total} documented (operation, status) pairs exercised")


main()
