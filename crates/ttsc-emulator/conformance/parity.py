"""Wire parity of ttsc with Huawei Cloud's official Python SDK.

For every operation `ttsc api --list` reports, the official SDK (`huaweicloudsdkmetastudio`,
unmodified) and `ttsc api OPERATION --input-json -` send the same request, with every field
the SDK's request model has set, to a recording server on loopback. The two recorded
requests must agree on the method, the path, the query pairs, the JSON body (compared
type-exactly: "true" is not true), X-App-UserId, X-Request-Id, X-Project-Id, Content-Type,
the signed headers (User-Agent aside), and the Content-Length of a request without a body.
Any difference is printed as a readable diff; the script exits 1.

    python parity.py --ttsc target/debug/ttsc --api-dir docs/api

Values come from the API description (`docs/api/*.openapi.json`): every field gets a value
inside its documented range, so ttsc's validation lets it through. A field the SDK's model
has and the description lacks is a difference too. `cargo xtask conformance` runs this.
"""

import argparse
import glob
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkmetastudio.v1 import MetaStudioClient
from huaweicloudsdkmetastudio.v1 import model as sdk_models

AK = "PARITYAK0000000000000"
SK = "parity-secret-key-not-real-0000000000000"
PROJECT = "0e2d5bd5e2c94a1e8f6b3c7d9a1b2c3d"
# Headers compared on every request (names compared case-insensitively).
HEADERS = ["X-App-UserId", "X-Request-Id", "X-Project-Id", "Content-Type"]
# The largest body the recorder reads.
MAX_BODY = 1 << 20


class Recorder(BaseHTTPRequestHandler):
    """Records each request and answers 200 with the body set for the operation."""

    server_version = "parity-recorder"
    protocol_version = "HTTP/1.1"

    def handle_one(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(min(length, MAX_BODY)) if length else b""
        url = urlsplit(self.path)
        self.server.seen.append(
            {
                "method": self.command,
                "path": url.path,
                "query": parse_qsl(url.query, keep_blank_values=True),
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": body,
            }
        )
        answer = json.dumps(self.server.answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.send_header("X-Request-Id", "parity-request")
        self.end_headers()
        self.wfile.write(answer)

    do_GET = do_POST = do_PUT = do_DELETE = handle_one

    def log_message(self, *args):
        pass


class Description:
    """The API description(s): operations by name, schemas by name, parameters by ref."""

    def __init__(self, api_dir):
        self.ops, self.schemas, self.params = {}, {}, {}
        for path in sorted(glob.glob(os.path.join(api_dir, "*.openapi.json"))):
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
            comps = doc.get("components", {})
            self.schemas.update(comps.get("schemas", {}))
            self.params.update(comps.get("parameters", {}))
            for template, item in doc.get("paths", {}).items():
                for method, op in item.items():
                    if isinstance(op, dict) and "operationId" in op:
                        self.ops[op["operationId"]] = op

    def resolve(self, s):
        while isinstance(s, dict) and ("$ref" in s or len(s.get("allOf", [])) == 1):
            ref = s.get("$ref") or s["allOf"][0]["$ref"]
            s = self.schemas[ref.rsplit("/", 1)[1]]
        return s

    def param(self, op, wire_name):
        for p in op.get("parameters", []):
            if "$ref" in p:
                p = self.params[p["$ref"].rsplit("/", 1)[1]]
            if p["name"].lower() == wire_name.lower():
                return p
        return None

    def body_schema(self, op):
        content = (op.get("requestBody") or {}).get("content", {})
        schema = content.get("application/json", {}).get("schema")
        return self.resolve(schema) if schema else None

    def response_schema(self, op):
        ok = op.get("responses", {}).get("200", {})
        schema = ok.get("content", {}).get("application/json", {}).get("schema")
        return self.resolve(schema) if schema else None

    def example(self, schema, name):
        """A value for `schema` inside every documented constraint, distinct per field."""
        s = self.resolve(schema)
        if "enum" in s:
            return s["enum"][0]
        kind = s.get("type")
        if kind == "object" or "properties" in s:
            return {k: self.example(v, k) for k, v in s.get("properties", {}).items()}
        if kind == "array":
            return [self.example(s.get("items", {}), name) for _ in range(2)]
        if kind == "boolean":
            return True
        if kind in ("integer", "number"):
            lo, hi = s.get("minimum"), s.get("maximum")
            if lo is not None and hi is not None:
                value = (lo + hi) // 2 if kind == "integer" else (lo + hi) / 2
            elif lo is not None:
                value = lo + 1
            elif hi is not None:
                value = hi - 1
            else:
                value = 3
            return int(value) if kind == "integer" else float(value)
        if s.get("format") == "date-time":
            return "2026-11-01T08:15:00Z"
        if "url" in name or s.get("format") == "uri":
            return f"https://example.com/{name}"
        value = f"{name}-v1"
        lo, hi = s.get("minLength", 0), s.get("maxLength")
        value = value.ljust(lo, "x")
        return value[:hi] if hi else value


def snake_case(name):
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).replace("-", "_").lower()


def sdk_value(type_name, value):
    """Builds the SDK's model objects from plain values, following its openapi_types."""
    if value is None:
        return None
    if type_name.startswith("list["):
        return [sdk_value(type_name[5:-1], v) for v in value]
    cls = getattr(sdk_models, type_name, None)
    if cls is None or not isinstance(value, dict):
        return value
    kwargs = {}
    for attr, ty in cls.openapi_types.items():
        wire = cls.attribute_map[attr]
        if wire in value:
            kwargs[attr] = sdk_value(ty, value[wire])
    return cls(**kwargs)


def full_input(desc, name, problems):
    """The input of operation `name` with every field of the SDK's request model set, as
    the SDK's to_dict() shapes it (the body with wire names)."""
    op = desc.ops[name]
    request_cls = getattr(sdk_models, f"{name}Request")
    out = {}
    for attr, ty in request_cls.openapi_types.items():
        wire = request_cls.attribute_map[attr]
        if attr == "body":
            schema = desc.body_schema(op)
            if schema is None:
                problems.append(f"{name}: the SDK sends a body; the description has none")
                continue
            out["body"] = body_example(desc, name, ty, schema, "body", problems)
            continue
        p = desc.param(op, wire)
        if p is None:
            problems.append(f"{name}: the SDK has {wire}; the description does not")
            continue
        out[attr] = desc.example(p.get("schema", {}), attr)
    return out


def body_example(desc, op_name, sdk_type, schema, at, problems):
    """Every field of the SDK's body model, with values from the description's schema."""
    cls = getattr(sdk_models, sdk_type, None)
    schema = desc.resolve(schema)
    if cls is None:
        return desc.example(schema, at.rsplit(".", 1)[-1])
    props = schema.get("properties", {})
    value = {}
    for attr, ty in cls.openapi_types.items():
        wire = cls.attribute_map[attr]
        if wire not in props:
            problems.append(f"{op_name}: the SDK has {at}.{wire}; the description does not")
            continue
        field = props[wire]
        inner = ty[5:-1] if ty.startswith("list[") else ty
        if getattr(sdk_models, inner, None) is not None:
            item_schema = desc.resolve(field).get("items", field) if ty != inner else field
            one = body_example(desc, op_name, inner, item_schema, f"{at}.{wire}", problems)
            value[wire] = [one] if ty != inner else one
        else:
            value[wire] = desc.example(field, wire)
    for wire in props:
        if wire not in cls.attribute_map.values():
            problems.append(f"{op_name}: the description has {at}.{wire}; the SDK does not")
    return value


def sdk_send(endpoint, name, given):
    config = HttpConfig.get_default_config()
    config.timeout = (5, 30)
    client = (
        MetaStudioClient.new_builder()
        .with_http_config(config)
        .with_credentials(BasicCredentials(AK, SK, PROJECT))
        .with_endpoints([endpoint])
        .build()
    )
    request_cls = getattr(sdk_models, f"{name}Request")
    kwargs = {}
    for attr, ty in request_cls.openapi_types.items():
        if attr in given:
            kwargs[attr] = sdk_value(ty, given[attr])
    getattr(client, snake_case(name))(request_cls(**kwargs))


def ttsc_send(ttsc, endpoint, name, given, home):
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": home,
        "HUAWEICLOUD_SDK_AK": AK,
        "HUAWEICLOUD_SDK_SK": SK,
    }
    run = subprocess.run(
        [ttsc, "--endpoint", endpoint, "--project-id", PROJECT, "--timeout", "30",
         "api", name, "--input-json", "-"],
        input=json.dumps(given).encode(),
        env=env,
        capture_output=True,
        timeout=60,
        check=False,
    )
    if run.returncode != 0:
        raise RuntimeError(f"ttsc exited {run.returncode}: {run.stderr.decode(errors='replace')}")


def body_json(raw):
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return f"<not JSON: {raw[:80]!r}>"


def typed(value):
    """JSON with types made visible, so "true" and true differ in the diff."""
    return json.dumps(value, sort_keys=True)


def signed_headers(headers):
    match = re.search(r"SignedHeaders=([^,\s]+)", headers.get("authorization", ""))
    names = match.group(1).split(";") if match else []
    return [n for n in names if n != "user-agent"]


def compare(name, sdk, ours):
    diffs = []

    def differ(what, a, b):
        if a != b:
            diffs.append(f"{name}: {what}\n    sdk:  {a}\n    ttsc: {b}")

    differ("method", sdk["method"], ours["method"])
    differ("path", sdk["path"], ours["path"])
    differ("query pairs", sorted(sdk["query"]), sorted(ours["query"]))
    differ("body", typed(body_json(sdk["body"])), typed(body_json(ours["body"])))
    for h in HEADERS:
        differ(f"header {h}", sdk["headers"].get(h.lower()), ours["headers"].get(h.lower()))
    # Which headers are signed; User-Agent aside (the SDK signs its own, ttsc's is added by
    # the HTTP client after signing: docs/compatibility.md).
    differ(
        "signed headers (User-Agent aside)",
        signed_headers(sdk["headers"]),
        signed_headers(ours["headers"]),
    )
    if not sdk["body"] or not ours["body"]:
        differ(
            "Content-Length of a request without a body",
            sdk["headers"].get("content-length"),
            ours["headers"].get("content-length"),
        )
    return diffs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ttsc", required=True, help="the ttsc binary")
    ap.add_argument("--api-dir", required=True, help="docs/api")
    args = ap.parse_args()

    listed = subprocess.run(
        [args.ttsc, "--output-format", "json", "api", "--list"],
        capture_output=True, check=True, timeout=60,
    )
    operations = [op["operation"] for op in json.loads(listed.stdout)]
    desc = Description(args.api_dir)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    server.seen, server.answer = [], {}
    threading.Thread(target=server.serve_forever, daemon=True).start()
    endpoint = f"http://127.0.0.1:{server.server_address[1]}"

    failures = []
    with tempfile.TemporaryDirectory() as home:
        for name in operations:
            problems = []
            if name not in desc.ops:
                failures.append(f"{name}: listed by ttsc api --list but not in the description")
                continue
            if not hasattr(sdk_models, f"{name}Request"):
                failures.append(f"{name}: the official SDK has no {name}Request")
                continue
            given = full_input(desc, name, problems)
            response = desc.response_schema(desc.ops[name])
            server.answer = desc.example(response, "response") if response else {}
            recorded = {}
            for side, send in (
                ("sdk", lambda: sdk_send(endpoint, name, given)),
                ("ttsc", lambda: ttsc_send(args.ttsc, endpoint, name, given, home)),
            ):
                server.seen.clear()
                try:
                    send()
                except Exception as e:  # noqa: BLE001 - reported as a difference
                    problems.append(f"{name}: {side} failed: {type(e).__name__}: {e}")
                if len(server.seen) != 1:
                    problems.append(f"{name}: {side} sent {len(server.seen)} requests, not 1")
                else:
                    recorded[side] = server.seen[0]
            if len(recorded) == 2:
                problems.extend(compare(name, recorded["sdk"], recorded["ttsc"]))
            status = "ok  " if not problems else "DIFF"
            print(f"{status} {name} ({len(given)} input keys)", flush=True)
            failures.extend(problems)
    server.shutdown()

    for f in failures:
        print(f, flush=True)
    print(f"{len(operations)} operations, {len(failures)} differences", flush=True)
    return 1 if failures or not operations else 0


if __name__ == "__main__":
    sys.exit(main())
