"""With `remote_images: true`, the worker fetches http(s) image URLs of the latest user message
(bounded in size and time) and sends them to claude as image blocks; a URL that cannot be had is
a 400 naming the part. The images come from a local HTTP server started by the test, so the
server under test allows non-public addresses (`remote_images_allow_private`); without that
key, loopback, private and link-local hosts are refused."""
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
        if self.path.startswith("/redirect-to/"):
            self.send_response(302)
            self.send_header("Location", "/" + self.path[len("/redirect-to/"):])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
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
                      config={"remote_images": True, "remote_images_allow_private": True})
    p.start()
    yield p
    p.stop()


@pytest.fixture(scope="module")
def guarded_proxy(tmp_path_factory, standin, bins, claude):
    import harness
    p = harness.Proxy(tmp_path_factory.mktemp("remote-images-guarded"), standin, bins=bins, claude=claude,
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


def test_redirects_are_followed(remote_proxy, image_server):
    text = chat_text(remote_proxy.post_chat({"model": "sonnet", "messages": [user([
        {"type": "text", "text": "STANDIN:echo-images"}, image_part(f"{image_server}/redirect-to/pixel.png")])]}))
    assert text == "images: 1 image/png", text


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]", "169.254.169.254", "10.0.0.1"])
def test_non_public_hosts_are_refused_by_default(guarded_proxy, standin, image_server, host):
    """The server's own loopback services, the cloud metadata endpoint and the LAN are out of
    a client's reach: refused before any connection (nothing is fetched), with a 400."""
    port = image_server.rsplit(":", 1)[1]
    mark = standin.mark()
    resp = guarded_proxy.post_chat({"model": "sonnet", "messages": [user([
        {"type": "text", "text": "hi"}, image_part(f"http://{host}:{port}/pixel.png")])]}, timeout=30)
    err = openai_error(resp, 400, code="invalid_image")
    assert "non-public address" in err["message"], err
    assert "remote_images_allow_private" in err["message"], err
    assert standin.messages(mark) == [], "claude ran for a refused image"
