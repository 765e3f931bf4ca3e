"""Prometheus metrics on `metrics_listen`: requests served by several workers are summed in
the supervisor, labelled with the real token name, and the exposition passes promtool."""
import os
import re
import shutil
import subprocess

import pytest

import harness
from harness import http_request, run_parallel, wait_until

SERIES_RE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$')


def scrape(port: int, path: str = "/metrics") -> harness.Response:
    return http_request(f"http://127.0.0.1:{port}", "GET", path, timeout=10)


def samples(text: str) -> dict[tuple[str, frozenset], float]:
    """Every sample of the exposition, keyed by name and label set."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = SERIES_RE.match(line)
        assert m, f"not a sample line: {line!r}"
        labels = frozenset(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
        out[(m.group(1), labels)] = float(m.group(3))
    return out


def value(parsed: dict, name: str, **labels) -> float:
    return parsed.get((name, frozenset(labels.items())), 0.0)


def test_requests_of_several_workers_are_summed_and_the_exposition_passes_promtool(make_proxy):
    metrics_port = harness.free_port()
    proxy = make_proxy(min_idle=3, max_workers=8, config={"metrics_listen": f"127.0.0.1:{metrics_port}"})
    bearer = proxy.create_token("metrics-ci", scopes="chat")

    before = scrape(metrics_port)
    assert before.status == 200, before
    assert before.header("content-type").startswith("text/plain; version=0.0.4"), before

    # Two slow streams at once hold two workers: each counted request below comes from a
    # different process, and the supervisor must add them up.
    streams = [proxy.stream(f"STANDIN:slow 5 100 m{i}x", bearer=bearer, timeout=120) for i in range(2)]
    models = [lambda: proxy.request("GET", "/v1/models", bearer=bearer, timeout=30) for _ in range(6)]
    results = run_parallel([s.read_all for s in streams] + models, timeout=180)
    problems = [r for r in results if isinstance(r, BaseException)]
    assert not problems, problems
    for r in results[:2]:
        assert r.done and r.text.startswith("m"), r.summary()
    for r in results[2:]:
        assert r.status == 200, r
    anonymous = proxy.request("GET", "/v1/models", bearer=None)
    assert anonymous.status == 401, anonymous

    def counted():
        body = scrape(metrics_port)
        parsed = samples(body.body.decode())
        got = (
            value(parsed, "ccproxy_requests_total", endpoint="/v1/models", method="GET", status="200", token_name="metrics-ci"),
            value(parsed, "ccproxy_requests_total", endpoint="/v1/chat/completions", method="POST", status="200",
                  token_name="metrics-ci"),
            value(parsed, "ccproxy_requests_total", endpoint="/v1/models", method="GET", status="401", token_name="anonymous"),
        )
        return got == (6, 2, 1), (got, body.body.decode()[:3000])

    final = wait_until(counted, 20, "the scrape to count 6 models, 2 chats and 1 anonymous request")
    text = scrape(metrics_port).body.decode()
    parsed = samples(text)
    assert value(parsed, "ccproxy_request_duration_seconds_count", endpoint="/v1/chat/completions") == 2, text
    assert value(parsed, "ccproxy_first_chunk_latency_seconds_count", endpoint="/v1/chat/completions") == 2, text
    assert value(parsed, "ccproxy_first_chunk_latency_seconds_count", endpoint="/v1/models") == 0, text
    assert value(parsed, "ccproxy_subprocess_spawns_total") >= 2, text
    assert value(parsed, "ccproxy_bridge_connections") == 0, text
    workers = sum(v for (name, _), v in parsed.items() if name == "ccproxy_pool_workers")
    assert workers >= 3, text
    assert value(parsed, "ccproxy_pool_handoffs_total") >= 9, text
    # A scrape is itself no API request.
    assert not any(dict(labels).get("endpoint") == "/metrics" for (_, labels) in parsed), text

    # Only /metrics is served there, and metrics are not on the API listener.
    assert scrape(metrics_port, "/v1/models").status == 404
    assert proxy.request("GET", "/metrics", bearer=bearer).status == 404

    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool is not installed (Debian package prometheus; `make test-deps` installs it)")
    check = subprocess.run([promtool, "check", "metrics"], input=text.encode(), capture_output=True, timeout=30)
    assert check.returncode == 0, f"promtool: {check.stdout.decode()}{check.stderr.decode()}\n{text}"


def test_socket_activation_passes_a_metrics_socket(make_proxy):
    if not shutil.which("systemd-socket-activate"):
        (pytest.fail if os.environ.get("CI") else pytest.skip)("systemd-socket-activate not installed")
    metrics_port = harness.free_port()
    proxy = make_proxy(start=False)
    proxy.start_socket_activated(metrics_port=metrics_port)
    bearer = proxy.create_token("activated-ci", scopes="chat")
    assert proxy.request("GET", "/v1/models", bearer=bearer).status == 200

    def counted():
        body = scrape(metrics_port)
        parsed = samples(body.body.decode())
        got = value(parsed, "ccproxy_requests_total", endpoint="/v1/models", method="GET", status="200",
                    token_name="activated-ci")
        return body.status == 200 and got == 1, (body.status, body.body.decode()[:2000])

    wait_until(counted, 20, "the scrape on the socket named metrics to count the request")
