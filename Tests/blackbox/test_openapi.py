"""docs/openapi.yaml: a valid OpenAPI 3.1 description, kept true by the server's real answers,
and a bounded schemathesis run against a live ccproxy (no 5xx, nothing outside the schema).

Needs the Python packages openapi-spec-validator, jsonschema (with referencing), pyyaml and
schemathesis (Tests/requirements.txt).
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest

import harness
from harness import Response

SPEC_PATH = harness.REPO / "docs" / "openapi.yaml"
SPEC_URI = "urn:ccproxy:openapi"
CORS_ORIGIN = "https://app.example"  # the spec's example Origin; allowed by the test server
CHAT = "/v1/chat/completions"
METHODS = ("get", "post", "put", "patch", "delete", "options", "head", "trace")


def _need(module: str):
    """Import a test dependency; a missing one fails under make test / CI, skips by hand."""
    try:
        return __import__(module)
    except ImportError:
        message = f"Python package for {module!r} missing (see Tests/requirements.txt)"
        if os.environ.get("CCPROXY_BIN_DIR") or os.environ.get("CCPROXY_TEST_CLAUDE") or os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


# --------------------------------------------------------------------------- the spec


class Spec:
    """The loaded description, with JSON Schema validation of any part of it by JSON pointer."""

    def __init__(self, doc: dict):
        jsonschema = _need("jsonschema")
        referencing = _need("referencing")
        import referencing.jsonschema  # noqa: F401

        self.doc = doc
        resource = referencing.Resource.from_contents(doc, default_specification=referencing.jsonschema.DRAFT202012)
        self.registry = referencing.Registry().with_resource(SPEC_URI, resource)
        self._validator_cls = jsonschema.Draft202012Validator

    # -- navigation (pointer-tracking, following $ref)

    def at(self, pointer: str):
        node = self.doc
        for part in pointer.lstrip("/").split("/") if pointer else []:
            part = part.replace("~1", "/").replace("~0", "~")
            node = node[int(part)] if isinstance(node, list) else node[part]
        return node

    def deref(self, pointer: str) -> tuple[str, dict]:
        node = self.at(pointer)
        while isinstance(node, dict) and "$ref" in node and len(node) == 1:
            pointer = node["$ref"].lstrip("#")
            node = self.at(pointer)
        return pointer, node

    @staticmethod
    def esc(key: str) -> str:
        return key.replace("~", "~0").replace("/", "~1")

    def operations(self) -> list[tuple[str, str]]:
        return [(path, m) for path, item in self.doc["paths"].items() for m in item if m in METHODS]

    def response(self, path: str, method: str, status: int) -> tuple[str, dict] | None:
        base = f"/paths/{self.esc(path)}/{method}/responses"
        responses = self.at(base)
        for key in (str(status), f"{str(status)[0]}XX", "default"):
            if key in responses:
                return self.deref(f"{base}/{key}")
        return None

    # -- validation

    def errors(self, pointer: str, instance) -> list[str]:
        validator = self._validator_cls({"$ref": f"{SPEC_URI}#{pointer}"}, registry=self.registry)
        return [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
                for e in sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.path)))]

    def assert_valid(self, pointer: str, instance, what: str):
        errs = self.errors(pointer, instance)
        assert not errs, f"{what} does not match {pointer}:\n  " + "\n  ".join(errs[:10]) + \
            f"\ninstance: {json.dumps(instance)[:1500]}"

    def schema_pointer(self, name: str) -> str:
        assert name in self.doc["components"]["schemas"], f"no components/schemas/{name} in the spec"
        return f"/components/schemas/{name}"

    def check(self, path: str, method: str, resp: Response) -> dict | list | None:
        """Assert that `resp` (to `method path`, path as templated in the spec) is what the spec
        says: a documented status, a documented content type, a body matching the schema, every
        required header present and every documented header matching its schema. Returns the
        parsed JSON body (or the SSE events for a stream)."""
        what = f"{method.upper()} {path} → {resp.status}"
        found = self.response(path, method, resp.status)
        assert found, f"{what}: status not documented; {resp!r}"
        rptr, robj = found
        for name in robj.get("headers", {}):
            hptr, hobj = self.deref(f"{rptr}/headers/{self.esc(name)}")
            value = resp.header(name)
            if value is None:
                assert not hobj.get("required"), f"{what}: required header {name} missing; headers={resp.headers}"
                continue
            self.assert_valid(f"{hptr}/schema", value, f"{what}: header {name}: {value!r}")
        content = robj.get("content")
        if not content:
            assert resp.body == b"", f"{what}: documented without a body, got {resp.body[:200]!r}"
            return None
        ctype = (resp.header("content-type") or "").split(";")[0].strip().lower()
        assert ctype in content, f"{what}: Content-Type {ctype!r} not documented ({sorted(content)})"
        sptr = f"{rptr}/content/{self.esc(ctype)}/schema"
        if ctype == "text/event-stream":
            return self.check_events(sptr, resp.body, what)
        body = resp.json()
        self.assert_valid(sptr, body, f"{what}: body")
        return body

    def check_events(self, event_ptr: str, raw: bytes, what: str) -> list:
        """Parse an SSE body; validate every event against the event schema, its `data` as JSON
        against the schema's contentSchema; return the parsed payloads ("[DONE]" as a string)."""
        events, comments = parse_sse(raw)
        assert events, f"{what}: no events in {raw[:300]!r}"
        eptr, eobj = self.deref(event_ptr)
        branches = eobj["properties"]["data"]["anyOf"]
        content_idx = next(i for i, b in enumerate(branches) if "contentSchema" in b)
        content_ptr = f"{eptr}/properties/data/anyOf/{content_idx}/contentSchema"
        payloads = []
        for i, data in enumerate(events):
            self.assert_valid(eptr, {"data": data}, f"{what}: event #{i}")
            if data == "[DONE]":
                payloads.append(data)
                continue
            try:
                obj = json.loads(data)
            except ValueError as e:
                raise AssertionError(f"{what}: event #{i} is neither [DONE] nor JSON ({e}): {data[:300]!r}")
            self.assert_valid(content_ptr, obj, f"{what}: event #{i} payload")
            payloads.append(obj)
        return payloads


def parse_sse(raw: bytes) -> tuple[list[str], list[str]]:
    """(data of each event, comment lines) of a text/event-stream body."""
    events, comments, data = [], [], []
    for line in raw.decode("utf-8").replace("\r\n", "\n").split("\n"):
        if line == "":
            if data:
                events.append("\n".join(data))
                data = []
        elif line.startswith(":"):
            comments.append(line)
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))
    if data:
        events.append("\n".join(data))
    return events, comments


def check_stream_order(payloads: list, include_usage: bool, failed: bool = False):
    """The event order the spec's description promises."""
    assert payloads and payloads[-1] == "[DONE]", f"stream does not end with [DONE]: {payloads[-3:]}"
    assert payloads.count("[DONE]") == 1, payloads
    body = payloads[:-1]
    errors = [p for p in body if "error" in p]
    chunks = [p for p in body if "error" not in p]
    finishes = [c for c in chunks if c["choices"] and c["choices"][0]["finish_reason"] is not None]
    usage_chunks = [c for c in chunks if c.get("usage") is not None]
    if failed:
        assert len(errors) == 1 and body[-1] is errors[0], f"expected one error event just before [DONE]: {body}"
        assert not finishes, f"a failed stream has no finish_reason chunk: {finishes}"
        assert not usage_chunks, f"a failed stream has no usage chunk: {usage_chunks}"
        return
    assert not errors, f"unexpected error event: {errors}"
    assert len(finishes) == 1, f"expected exactly one finish_reason chunk: {chunks}"
    # The first chunk that carries anything (content or reasoning) names the role.
    first = next((c for c in chunks if c["choices"] and set(c["choices"][0]["delta"]) - {"role"}), None)
    assert first is None or first["choices"][0]["delta"].get("role") == "assistant", \
        f"the first chunk with a delta has no role: {first}"
    assert len({c["id"] for c in chunks}) == 1, "chunks of one completion with different ids"
    if include_usage:
        assert usage_chunks and usage_chunks == [chunks[-1]], f"usage must be on the last chunk only: {chunks[-2:]}"
        assert chunks[-1]["choices"] == [], chunks[-1]
        assert finishes[0] is chunks[-2], "the finish_reason chunk comes right before the usage chunk"
        assert all("usage" not in c or c is chunks[-1] or c["usage"] is None for c in chunks)
    else:
        assert all("usage" not in c for c in chunks), f"usage without include_usage: {[c for c in chunks if 'usage' in c]}"
        assert finishes[0] is chunks[-1], "the finish_reason chunk is the last chunk"


@pytest.fixture(scope="module")
def doc() -> dict:
    yaml = _need("yaml")
    assert SPEC_PATH.is_file(), f"{SPEC_PATH} missing"
    return yaml.safe_load(SPEC_PATH.read_text())


@pytest.fixture(scope="module")
def spec(doc) -> Spec:
    return Spec(doc)


# --------------------------------------------------------------------------- servers


def server_config(claude: Path, request_timeout: str = "20s") -> str:
    return (
        f"claude_binary: {claude}\n"
        "default_permission_mode: bypassPermissions\n"
        "allow_passthrough_models: true\n"
        f"request_timeout: {request_timeout}\n"
        f"cors_origins: [\"{CORS_ORIGIN}\"]\n"
        "stream_keepalive: 1s\n"
        "workers:\n"
        "  min_idle: 4\n"
        "  max: 16\n"
    )


def start_server(workdir: Path, standin, bins, claude, request_timeout: str = "20s") -> harness.Proxy:
    p = harness.Proxy(workdir, standin, bins=bins, claude=claude)
    p.config.write_text(server_config(p.claude, request_timeout))
    try:
        p.start()
        p.require_bearer()
    except BaseException:
        p.stop()
        raise
    return p


@pytest.fixture(scope="module")
def api(tmp_path_factory, standin, bins, claude):
    """A ccproxy with CORS on for one origin and 1 s keep-alives, for this module alone."""
    _need("yaml")
    p = start_server(tmp_path_factory.mktemp("openapi"), standin, bins, claude)
    yield p
    p.stop()


def model_ids(api) -> list[str]:
    r = api.request("GET", "/v1/models")
    assert r.status == 200, r
    return [m["id"] for m in r.json()["data"]]


def fill(path: str, api) -> str:
    return path.replace("{model}", quote(model_ids(api)[0], safe=""))


# --------------------------------------------------------------------------- (a) valid


def test_spec_is_valid_openapi_3_1(doc):
    validator = _need("openapi_spec_validator")
    assert str(doc.get("openapi", "")).startswith("3.1"), f"openapi: {doc.get('openapi')!r}, want 3.1.x"
    validator.validate(doc)
    jsonschema = _need("jsonschema")
    for name, schema in doc["components"]["schemas"].items():
        jsonschema.Draft202012Validator.check_schema(schema)
    # The pieces the description promises exist.
    for name in ("Error", "ChatCompletionRequest", "ChatCompletion", "ChatCompletionChunk", "Model", "ModelList",
                 "Usage", "ChatCompletionStreamEvent"):
        assert name in doc["components"]["schemas"], f"components/schemas/{name} missing"
    assert doc["components"]["securitySchemes"]["bearerAuth"] == {**doc["components"]["securitySchemes"]["bearerAuth"],
                                                                  "type": "http", "scheme": "bearer"}
    chat = doc["paths"][CHAT]["post"]
    names = {p.get("name") or p.get("$ref", "").rsplit("/", 1)[-1] for p in chat["parameters"]}
    for h in ("X-CC-Verbosity", "X-CC-Effort", "X-CC-Claude-Model", "X-CC-Session", "X-CC-Workspace", "RequestId"):
        assert h in names, f"request header {h} not documented on POST {CHAT}"
    documented = {str(s) for s in chat["responses"]}
    for status in ("200", "400", "401", "403", "404", "413", "429", "431", "502", "503", "504"):
        assert status in documented, f"POST {CHAT}: {status} not documented"
    assert set(chat["responses"]["200"]["content"]) == {"application/json", "text/event-stream"}


# --------------------------------------------------------------------------- (b) routes


def test_documented_routes_are_served(api, spec):
    for path, method in spec.operations():
        if method == "options":
            headers = {"Origin": CORS_ORIGIN, "Access-Control-Request-Method": "GET"}
            r = api.request("OPTIONS", fill(path, api), bearer=None, headers=headers)
            assert r.status == 204, f"OPTIONS {path} (allowed origin): {r!r}"
            continue
        body = {"model": "sonnet", "messages": [{"role": "user", "content": "STANDIN:reply ok"}]} \
            if method == "post" else None
        r = api.request(method.upper(), fill(path, api), body)
        assert r.status not in (404, 405), f"documented {method.upper()} {path} is not served: {r!r}"
        spec.check(path, method, r)


# Paths a server like this might grow (OpenAI's other routes, later features). Each must be
# documented before it is served.
UNDOCUMENTED = [
    "/", "/v1", "/v1/", "/v1/chat", "/v1/chat/completions/x", "/v1/completions", "/v1/embeddings",
    "/v1/responses", "/v1/messages", "/v1/files", "/v1/images/generations", "/v1/audio/speech",
    "/v1/moderations", "/v1/batches", "/v1/assistants", "/v1/threads", "/v1/models/sonnet/x",
    "/v1/sessions", "/v1/workspaces", "/healthz/x", "/readyz/x", "/health", "/metrics", "/status",
    "/openapi.yaml", "/openapi.json", "/docs", "/admin", "/debug", "/bridges", "/v2/models",
]


@pytest.mark.parametrize("path", UNDOCUMENTED)
def test_undocumented_paths_are_not_served(api, spec, path):
    assert path not in spec.doc["paths"], f"{path} is documented; drop it from this list"
    for method in ("GET", "POST"):
        r = api.request(method, path, {} if method == "POST" else None)
        assert r.status == 404, f"{method} {path} is served but not in docs/openapi.yaml: {r!r}"
        err = r.json()["error"]
        assert err["code"] == "not_found", f"{method} {path}: {r!r}"


def test_undocumented_methods_are_405_with_allow(api, spec):
    for path, item in spec.doc["paths"].items():
        documented = {m.upper() for m in item if m in METHODS}
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            if method in documented:
                continue
            r = api.request(method, fill(path, api), {} if method != "GET" else None)
            assert r.status == 405, f"{method} {path} (not documented): {r!r}"
            allow = {m.strip() for m in (r.header("allow") or "").split(",") if m.strip()}
            assert allow - {"OPTIONS", "HEAD"} == documented - {"OPTIONS", "HEAD"}, \
                f"{method} {path}: Allow {r.header('allow')!r}, documented {sorted(documented)}"
            err = r.json()["error"]
            assert err["code"] == "method_not_allowed", r


# --------------------------------------------------------------------------- (b) kept true


def test_health_and_models_conform(api, spec):
    spec.check("/healthz", "get", api.request("GET", "/healthz", bearer=None))
    spec.check("/readyz", "get", api.request("GET", "/readyz", bearer=None))
    listing = spec.check("/v1/models", "get", api.request("GET", "/v1/models"))
    ids = [m["id"] for m in listing["data"]]
    assert ids, listing
    for model in ids + ["claude-sonnet-4-5[1m]"]:
        r = api.request("GET", "/v1/models/" + quote(model, safe=""))
        body = spec.check("/v1/models/{model}", "get", r)
        assert r.status == 200 and body["id"] == model, f"GET /v1/models/{quote(model, safe='')}: {r!r}"
    r = api.request("GET", "/v1/models/" + quote("no-such-model", safe=""))
    err = spec.check("/v1/models/{model}", "get", r)["error"]
    assert r.status == 404 and err["code"] == "model_not_found", r


def test_request_id_is_echoed(api, spec):
    rid = f"req-{uuid.uuid4().hex}"
    r = api.request("GET", "/v1/models", headers={"X-Request-Id": rid})
    spec.check("/v1/models", "get", r)
    assert r.header("x-request-id") == rid, r


def test_chat_completion_conforms(api, spec):
    payload = {
        "model": "sonnet", "temperature": 0.2, "max_tokens": 50, "user": "u1", "zz_unknown": 1,
        "messages": [
            {"role": "system", "content": "be brief"},
            {"role": "developer", "content": [{"type": "text", "text": "really"}]},
            {"role": "user", "content": "hi"},
            {"role": "assistant", "content": None,
             "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]},
            {"role": "tool", "tool_call_id": "call_1", "content": "42"},
            {"role": "user", "content": [{"type": "text", "text": "STANDIN:reply done"}]},
        ],
    }
    spec.assert_valid(spec.schema_pointer("ChatCompletionRequest"), payload, "the test's own request")
    r = api.request("POST", CHAT, payload)
    body = spec.check(CHAT, "post", r)
    assert r.status == 200, r
    assert body["choices"][0]["message"]["content"] == "done", body
    assert r.header("x-cc-ignored-params") == "temperature,max_tokens,user,zz_unknown", r.headers


@pytest.mark.parametrize("include_usage", [False, True])
def test_stream_conforms(api, spec, include_usage):
    payload = {"model": "sonnet", "stream": True, "messages": [{"role": "user", "content": "STANDIN:slow 3 50"}]}
    if include_usage:
        payload["stream_options"] = {"include_usage": True}
    r = api.request("POST", CHAT, payload)
    assert r.status == 200, r
    payloads = spec.check(CHAT, "post", r)
    check_stream_order(payloads, include_usage)


def test_stream_with_reasoning_conforms(api, spec):
    payload = {"model": "sonnet", "stream": True, "reasoning_effort": "low",
               "messages": [{"role": "user", "content": "STANDIN:think fine"}]}
    r = api.request("POST", CHAT, payload)
    assert r.status == 200, r
    payloads = spec.check(CHAT, "post", r)
    check_stream_order(payloads, include_usage=False)
    reasoning = "".join(c["choices"][0]["delta"].get("reasoning_content", "") for c in payloads[:-1] if c["choices"])
    assert reasoning, f"no reasoning_content with reasoning_effort set: {payloads}"


def test_stream_keepalive_conforms(api, spec):
    # Two deltas 1.5 s apart with stream_keepalive 1s: a keep-alive comment between them.
    payload = {"model": "sonnet", "stream": True, "messages": [{"role": "user", "content": "STANDIN:slow 2 1500"}]}
    r = api.request("POST", CHAT, payload)
    assert r.status == 200, r
    payloads = spec.check(CHAT, "post", r)
    check_stream_order(payloads, include_usage=False)
    _, comments = parse_sse(r.body)
    assert ": keep-alive" in comments, f"no keep-alive comment in a stream silent for 1.5 s: {r.body[:800]!r}"


def test_non_streaming_reasoning_conforms(api, spec):
    r = api.request("POST", CHAT, {"model": "sonnet", "reasoning_effort": "low",
                                    "messages": [{"role": "user", "content": "STANDIN:think fine"}]})
    body = spec.check(CHAT, "post", r)
    assert r.status == 200, r
    assert body["choices"][0]["message"].get("reasoning_content"), body


def test_stream_error_event_conforms(api, spec):
    payload = {"model": "sonnet", "stream": True, "messages": [{"role": "user", "content": "STANDIN:error 400"}]}
    r = api.request("POST", CHAT, payload)
    assert r.status == 200, r
    payloads = spec.check(CHAT, "post", r)
    check_stream_order(payloads, include_usage=False, failed=True)


def _big_body() -> bytes:
    return json.dumps({"model": "sonnet", "messages": [{"role": "user", "content": "x" * (4 * 1024 * 1024 + 10)}]}).encode()


# kind → (method, spec path, request path, body, headers, bearer, status, error code or None)
ERROR_CASES = {
    "400 bad JSON": ("post", CHAT, CHAT, b"{not json", {"Content-Type": "application/json"}, "default", 400, None),
    "400 empty messages": ("post", CHAT, CHAT, {"model": "sonnet", "messages": []}, None, "default", 400, None),
    "400 invalid role": ("post", CHAT, CHAT, {"messages": [{"role": "robot", "content": "x"}]}, None, "default", 400,
                         "invalid_role"),
    "400 n": ("post", CHAT, CHAT, {"n": 2, "messages": [{"role": "user", "content": "x"}]}, None, "default", 400,
              "unsupported_parameter"),
    "400 effort": ("post", CHAT, CHAT, {"reasoning_effort": "huge", "messages": [{"role": "user", "content": "x"}]},
                   None, "default", 400, "invalid_effort"),
    "400 verbosity": ("post", CHAT, CHAT, {"messages": [{"role": "user", "content": "x"}]}, {"X-CC-Verbosity": "loud"},
                      "default", 400, "invalid_verbosity"),
    "400 image": ("post", CHAT, CHAT, {"messages": [{"role": "user", "content": [
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,@@@"}}]}]}, None, "default", 400,
        "invalid_image"),
    "400 workspace": ("post", CHAT, CHAT, {"messages": [{"role": "user", "content": "x"}]},
                      {"X-CC-Workspace": "nowhere"}, "default", 400, "unknown_workspace"),
    "401 no bearer": ("get", "/v1/models", "/v1/models", None, None, None, 401, None),
    "401 bad bearer": ("post", CHAT, CHAT, {"messages": [{"role": "user", "content": "x"}]}, None,
                       "ccp_00000000_000000000000000000000000", 401, None),
    "404 model": ("post", CHAT, CHAT, {"model": "gpt-nope", "messages": [{"role": "user", "content": "x"}]}, None,
                  "default", 404, "model_not_found"),
    "405 method": ("get", CHAT, CHAT, None, None, "default", 405, "method_not_allowed"),
    "413 body": ("post", CHAT, CHAT, "big", {"Content-Type": "application/json"}, "default", 413, None),
    "431 head": ("get", "/v1/models", "/v1/models", None, {"X-Padding": "p" * (70 * 1024)}, "default", 431, None),
    "502 upstream": ("post", CHAT, CHAT, {"model": "sonnet", "messages": [{"role": "user", "content": "STANDIN:error 400"}]},
                     None, "default", 502, "claude_error"),
}


@pytest.mark.parametrize("kind", list(ERROR_CASES))
def test_error_conforms(api, spec, kind):
    method, spec_path, path, body, headers, bearer, status, code = ERROR_CASES[kind]
    if body == "big":
        body = _big_body()
    r = api.request(method.upper(), path, body, bearer=bearer, headers=headers)
    assert r.status == status, f"{kind}: {r!r}"
    if status == 405:
        # Not an operation of the spec; the shape is the documented MethodNotAllowed response.
        ptr, robj = spec.deref("/components/responses/MethodNotAllowed")
        spec.assert_valid(f"{ptr}/content/application~1json/schema", r.json(), kind)
        assert r.header("allow") and r.header("x-request-id"), r
        err = r.json()["error"]
    else:
        err = spec.check(spec_path, method, r)["error"]
    if code:
        assert err["code"] == code, f"{kind}: {err}"


def test_forbidden_conforms(api, spec):
    bearer = api.create_token(f"noscope-{uuid.uuid4().hex[:6]}", scopes="admin")
    r = api.request("GET", "/v1/models", bearer=bearer)
    assert r.status == 403, r
    spec.check("/v1/models", "get", r)


def test_rate_limited_conforms(api, spec):
    bearer = api.create_token(f"rpm-{uuid.uuid4().hex[:6]}", "--rpm", "1")
    assert api.request("GET", "/v1/models", bearer=bearer).status == 200
    r = api.request("GET", "/v1/models", bearer=bearer)
    assert r.status == 429, r
    spec.check("/v1/models", "get", r)


def test_cors_preflight_conforms(api, spec):
    ok = api.request("OPTIONS", CHAT, bearer=None, headers={
        "Origin": CORS_ORIGIN, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type, x-cc-verbosity"})
    assert ok.status == 204, ok
    spec.check(CHAT, "options", ok)
    assert ok.header("access-control-allow-origin") == CORS_ORIGIN, ok
    bad = api.request("OPTIONS", CHAT, bearer=None, headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert bad.status == 403, bad
    assert spec.check(CHAT, "options", bad)["error"]["code"] == "cors_origin_not_allowed", bad
    assert bad.header("access-control-allow-origin") is None, bad


def test_timeouts_conform(tmp_path, standin, bins, claude, spec):
    p = start_server(tmp_path / "short", standin, bins, claude, request_timeout="3s")
    try:
        body = {"model": "sonnet", "messages": [{"role": "user", "content": "STANDIN:sleep 20"}]}
        results = harness.run_parallel([
            lambda: p.request("POST", CHAT, body, timeout=30),
            lambda: p.request("POST", CHAT, {**body, "stream": True}, timeout=30),
        ], timeout=40)
        plain, streamed = results
        assert isinstance(plain, Response) and plain.status == 504, plain
        assert spec.check(CHAT, "post", plain)["error"]["code"] == "request_timeout", plain
        assert isinstance(streamed, Response) and streamed.status == 200, streamed
        check_stream_order(spec.check(CHAT, "post", streamed), include_usage=False, failed=True)
    finally:
        p.stop()


# --------------------------------------------------------------------------- (c) schemathesis

# One bounded, deterministic run (fixed seed, no shrinking, no example database). Every generated
# chat request that passes validation runs a real claude turn against the stand-in (1-4 s each,
# one after another: schemathesis parallelises across operations, not within one), so that
# operation gets few fuzzing examples and only the negative (refused, cheap) coverage cases;
# about a dozen turns in all. The stateful phase is off: the one link (model list → model) is
# also followed by the fuzzing phase, which reuses the ids the list returned.
SCHEMATHESIS_TOML = """\
seed = 1
workers = 4
request-timeout = 30

[generation]
max-examples = {max_examples}
no-shrink = true
database = "none"

[phases.stateful]
enabled = false

[[operations]]
include-method = "OPTIONS"
generation.max-examples = {options_examples}

[[operations]]
include-path = "/v1/chat/completions"
include-method = "POST"
generation.max-examples = {chat_examples}
phases.coverage.generation.mode = "negative"
"""
SCHEMATHESIS_CHECKS = ",".join([
    "not_a_server_error", "status_code_conformance", "response_schema_conformance",
    "content_type_conformance", "response_headers_conformance", "unsupported_method",
    "allow_header_conformance",
])
SCHEMATHESIS_BUDGET_S = float(os.environ.get("CCPROXY_SCHEMATHESIS_BUDGET", "90"))


def schemathesis_command() -> list[str]:
    _need("schemathesis")
    exe = Path(sys.executable).parent / "schemathesis"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "schemathesis.cli"]


def test_schemathesis_run(api, tmp_path):
    config = tmp_path / "schemathesis.toml"
    config.write_text(SCHEMATHESIS_TOML.format(max_examples=30, options_examples=10, chat_examples=10))
    cmd = [*schemathesis_command(), "--config-file", str(config), "--no-color", "run", str(SPEC_PATH),
           "--url", api.url, "--header", f"Authorization: Bearer {api.require_bearer()}",
           "--checks", SCHEMATHESIS_CHECKS, "--report", "junit", "--report-dir", str(tmp_path / "report")]
    t0 = time.monotonic()
    try:
        cp = subprocess.run(cmd, capture_output=True, text=True, timeout=SCHEMATHESIS_BUDGET_S * 3,
                            cwd=str(tmp_path), env={**os.environ, "SCHEMATHESIS_TELEMETRY": "false"})
    except subprocess.TimeoutExpired as e:
        raise AssertionError(f"schemathesis did not finish within {SCHEMATHESIS_BUDGET_S * 3:.0f}s; "
                             f"output so far:\n{(e.stdout or b'')[-8000:]!r}")
    elapsed = time.monotonic() - t0
    out = cp.stdout + cp.stderr
    (tmp_path / "schemathesis.out").write_text(out)
    summary = re.search(r"(\d+) generated.*", out)
    print(f"schemathesis: {summary.group(0) if summary else '?'}; {elapsed:.1f}s wall")
    assert cp.returncode == 0, (f"schemathesis found problems (exit {cp.returncode}, {elapsed:.0f}s):\n"
                                f"{out[-20000:]}\nccproxy stderr:\n{harness.tail(api.stderr_path, 3000)}")
    assert re.search(r"\d+ generated", out), f"schemathesis generated nothing:\n{out[-4000:]}"
    assert elapsed < SCHEMATHESIS_BUDGET_S, f"schemathesis took {elapsed:.0f}s (budget {SCHEMATHESIS_BUDGET_S}s)"
    assert api.proc.poll() is None, f"ccproxy died during the run:\n{harness.tail(api.stderr_path)}"
