"""With `remote_images: true`, the worker fetches http(s) image URLs of the latest user message
(bounded in size and time) and sends them to claude as image blocks; a URL that cannot be had is
a 400 naming the part. The images come from a local HTTP server started by the test."""
from __future__ import annotations

import hashlib
import http.server
import threading

import pytest

from harness import chat_text, openai_error, user
from test_images import PNG, image_part

BIG = 6 * 1024 * 1024  # over the 5 MiB limit


class _Images(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's naming)
        if self.path == "/pixel.png":
            body, kind = PNG, "image/png"
        elif self.path == "/big.png":
            body, kind = b"\x89PNG" + b"\0" * BIG, "image/png"
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the worker stopped reading at its limit, as it should

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def image_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Images)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def remote_proxy(tmp_path_factory, standin, bins, claude):
    import harness
    p = harness.Proxy(tmp_path_factory.mktemp("remote-images"), standin, bins=bins, claude=claude,
                      config={"remote_images": True})
    p.start()
    yield p
    p.stop()


def test_a_remote_png_reaches_the_model(remote_proxy, standin, image_server):
    mark = standin.mark()
    text = chat_text(remote_proxy.post_chat({"model": "sonnet", "messages": [user([
        {"type": "text", "text": "what is this? STANDIN:echo-images"}, image_part(f"{image_server}/pixel.png")])]}))
    assert text == "images: 1 image/png", text
    seen = standin.messages(mark)[0].get("images")
    assert seen == [{"media_type": "image/png", "bytes": len(PNG), "sha256": hashlib.sha256(PNG).hexdigest()}], seen


@pytest.mark.parametrize("path,why", [("/missing.png", "HTTP status 404"), ("/big.png", "larger than")])
def test_a_remote_image_that_cannot_be_had_is_400(remote_proxy, image_server, path, why):
    resp = remote_proxy.post_chat({"model": "sonnet", "messages": [user([
        {"type": "text", "text": "hi"}, image_part(f"{image_server}{path}")])]})
    err = openai_error(resp, 400, code="invalid_image")
    assert "messages[0].content[1].image_url" in err["message"], err
    assert why in err["message"], err
