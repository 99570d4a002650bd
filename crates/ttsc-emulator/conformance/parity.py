"""Wire parity of ttsc with Huawei Cloud's official Python SDK.

For every operation `ttsc api --list` reports, the official SDK (`huaweicloudsdkmetastudio`,
unmodified) and `ttsc api OPERATION --input-json -` send the same request, with every field
the SDK's request model has set, to a recording server on loopback; for the operations a
task command sends (`synth --no-wait`, `audition create`), that command does too, every
field set through its flags (NOT_BY_FLAGS lists the fields no flag sets). The recorded
requests must agree with the SDK's on the method, the path, the query pairs, the JSON body (compared
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


def ttsc_send(ttsc, endpoint, name, given, home, args=None):
    """`ttsc api NAME --input-json -` with `given`, or `ttsc ARGS` when given."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": home,
        "HUAWEICLOUD_SDK_AK": AK,
        "HUAWEICLOUD_SDK_SK": SK,
    }
    run = subprocess.run(
        [ttsc, "--endpoint", endpoint, "--project-id", PROJECT, "--timeout", "30"]
        + (args or ["api", name, "--input-json", "-"]),
        input=b"" if args else json.dumps(given).encode(),
        env=env,
        capture_output=True,
        timeout=60,
        check=False,
    )
    if run.returncode != 0:
        raise RuntimeError(f"ttsc exited {run.returncode}: {run.stderr.decode(errors='replace')}")


# The task commands that send one operation's request: the same input as for `ttsc api`,
# set through the command's flags, must go out as the SDK sends it. A field of the SDK's
# request model the command has no flag for is a difference, so a new field needs a flag
# (or an entry in NOT_BY_FLAGS, which says why not).
# The flags of the sound and the vocabulary switch, which both commands have.
SOUND = {"speed": "--speed", "pitch": "--pitch", "volume": "--volume", "channels": "--channels"}
VOCABULARY = {"is_vocabulary_config_enable": ("--vocabulary", "--no-vocabulary")}
TASKS = {
    "CreateAsyncTtsJob": {
        "command": ["synth", "--no-wait"],
        "text": "text",
        "voice": "voice_asset_id",
        "values": {
            **SOUND,
            "srt_len": "--srt-len", "srt_line_limit": "--srt-line-limit", "priority": "--priority",
            "output_external_url": "--output-external-url",
            "srt_output_external_url": "--srt-output-external-url",
            "action_output_external_url": "--action-output-external-url",
        },
        "switches": {
            "need_timestamp": ("--need-timestamp", None),
            "gen_srt": ("--gen-srt", None),
            "slice_segments": ("--slice-segments", None),
            "is_concurrent_resource": ("--concurrent-resource", None),
            **VOCABULARY,
        },
    },
    "CreateTtsAudition": {
        "command": ["audition", "create"],
        "text": "text",
        "voice": "emotion",
        "values": {**SOUND, "business_type": "--business-type", "style": "--style"},
        "switches": VOCABULARY,
    },
}
# Request fields no task command sets, and why.
NOT_BY_FLAGS = {
    # One id for all the calls a command makes would not identify one call; `ttsc api` sends it.
    "x_request_id",
}
# A voice asset id (32 hex digits): the task commands look up no voice for it.
VOICE_ID = "0123456789abcdef0123456789abcdef"


def task_args(name, given, tmp, problems):
    """The task command that sends `given` (the input of operation `name`), or None."""
    task = TASKS[name]
    args = ["--app-user-id", given["x_app_user_id"]] if "x_app_user_id" in given else []
    args += task["command"]
    for key in given:
        if key not in ("body", "x_app_user_id") and key not in NOT_BY_FLAGS:
            problems.append(f"{name}: `ttsc {' '.join(task['command'])}` cannot set {key}")
    for wire, value in given.get("body", {}).items():
        if wire == task["text"]:
            args.append(value)
        elif wire == task["voice"]:
            args += ["--voice", value]
        elif wire in task["values"]:
            args += [task["values"][wire], str(value)]
        elif wire in task["switches"] and task["switches"][wire][0 if value else 1]:
            args.append(task["switches"][wire][0 if value else 1])
        elif wire == "tts_text":
            path = os.path.join(tmp, f"{name}.ssml")
            with open(path, "w", encoding="utf-8") as f:
                f.write(value)
            args += ["--ssml", path]
        elif wire == "audio_format" and value in ("WAV", "MP3"):
            args += ["-o", os.path.join(tmp, f"{name}.{value.lower()}")]
        elif wire == "silence_time_ms" and given["body"].get("silence_flag") is True:
            args += ["--silence-ms", str(value)]
        elif wire == "silence_flag" and value is True and "silence_time_ms" in given["body"]:
            pass
        elif wire == "callback_config" and set(value) == {"callback_url"}:
            args += ["--callback-url", value["callback_url"]]
        else:
            problems.append(
                f"{name}: `ttsc {' '.join(task['command'])}` has no flag for body.{wire}={value!r}"
            )
    return args


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
            sides = [("sdk", given, None), ("ttsc", given, None)]
            if name in TASKS:
                # The task command too, against the SDK sending what the command can set.
                task_given = {k: v for k, v in given.items() if k not in NOT_BY_FLAGS}
                task_given["body"] = dict(given["body"], **{TASKS[name]["voice"]: VOICE_ID})
                command = task_args(name, task_given, home, problems)
                label = "ttsc " + " ".join(TASKS[name]["command"])
                sides += [("sdk", task_given, None), (label, task_given, command)]
            recorded = []
            for side, inp, command in sides:
                server.seen.clear()
                try:
                    if side == "sdk":
                        sdk_send(endpoint, name, inp)
                    else:
                        ttsc_send(args.ttsc, endpoint, name, inp, home, command)
                except Exception as e:  # noqa: BLE001 - reported as a difference
                    problems.append(f"{name}: {side} failed: {type(e).__name__}: {e}")
                if len(server.seen) != 1:
                    problems.append(f"{name}: {side} sent {len(server.seen)} requests, not 1")
                    recorded.append(None)
                else:
                    recorded.append(server.seen[0])
            for (side, _, _), sdk, ours in zip(sides[1::2], recorded[0::2], recorded[1::2]):
                if sdk and ours:
                    label = name if side == "ttsc" else f"{name} via `{side}`"
                    problems.extend(compare(label, sdk, ours))
            status = "ok  " if not problems else "DIFF"
            via = f", and `{sides[3][0]}`" if name in TASKS else ""
            print(f"{status} {name} ({len(given)} input keys{via})", flush=True)
            failures.extend(problems)
    server.shutdown()

    for f in failures:
        print(f, flush=True)
    print(f"{len(operations)} operations, {len(failures)} differences", flush=True)
    return 1 if failures or not operations else 0


if __name__ == "__main__":
    sys.exit(main())
