"""A turn where the stand-in asks for Bash and the CLI really runs it (in the turn's sandbox,
where only its workspace is writable: the file goes there, and its content, computed by the
shell, comes back in the answer)."""
import uuid

from harness import chat_text


def test_bash_tool_really_runs(proxy, standin):
    half = uuid.uuid4().hex[:12]
    mark = standin.mark()
    resp = proxy.chat(f"STANDIN:bash M=marker-{half}; echo $M-$((20+22)) > marker.txt && cat marker.txt")
    text = chat_text(resp)
    seen = [e for e in standin.entries(mark) if e.get("path") == "/v1/messages"]
    assert any(e.get("tool_result") for e in seen), f"the stand-in never got a tool_result: {seen}"
    assert f"marker-{half}-42" in text, f"the answer does not contain the tool output: {text!r}"


def test_bash_tool_streaming(proxy):
    s = proxy.stream("STANDIN:bash echo streamed-$((1+1)) | tee streamed.txt && cat streamed.txt")
    r = s.read_all()
    assert r.done, r.summary()
    assert "streamed-2\nstreamed-2" in r.text or r.text.count("streamed-2") >= 2, r.summary()
