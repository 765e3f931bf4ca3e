"""A turn where the stand-in asks for Bash and the CLI really runs it."""
import uuid
from pathlib import Path

from harness import chat_text


def test_bash_tool_really_runs(proxy, standin, tmp_path):
    token = f"marker-{uuid.uuid4().hex[:12]}"
    marker = tmp_path / "marker.txt"
    mark = standin.mark()
    resp = proxy.chat(f"STANDIN:bash echo {token} > {marker} && cat {marker}")
    text = chat_text(resp)
    assert marker.exists(), f"the Bash tool did not create {marker}; answer={text!r}"
    assert marker.read_text().strip() == token
    seen = [e for e in standin.entries(mark) if e.get("path") == "/v1/messages"]
    assert any(e.get("tool_result") for e in seen), f"the stand-in never got a tool_result: {seen}"
    assert token in text, f"the answer does not contain the tool output {token!r}: {text!r}"


def test_bash_tool_streaming(proxy, standin, tmp_path):
    marker = tmp_path / "streamed.txt"
    s = proxy.stream(f"STANDIN:bash echo streamed-ok | tee {marker}")
    r = s.read_all()
    assert r.done, r.summary()
    assert Path(marker).exists(), f"no {marker}; {r.summary()}"
    assert "streamed-ok" in r.text, r.summary()
