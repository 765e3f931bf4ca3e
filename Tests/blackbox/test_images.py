"""image_url parts with data URLs reach the model as image blocks (the stand-in logs their media
type, decoded size and sha256, and STANDIN:echo-images lists them); broken ones are a 400 that
names the part, before claude runs."""
from __future__ import annotations

import base64
import hashlib
import time

import pytest

from harness import chat_text, openai_error, user

# 1x1 images
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
GIF = base64.b64decode("R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==")


def data_url(raw: bytes, media: str = "image/png") -> str:
    return f"data:{media};base64,{base64.b64encode(raw).decode()}"


def image_part(url: str, as_object: bool = True) -> dict:
    return {"type": "image_url", "image_url": {"url": url, "detail": "auto"} if as_object else url}


def images_seen(standin, mark) -> list[dict]:
    seen = standin.messages(mark)
    assert seen, "the stand-in saw no request"
    return seen[0].get("images") or []


def test_png_reaches_the_model(proxy, standin):
    mark = standin.mark()
    text = chat_text(proxy.post_chat({"model": "sonnet", "messages": [user([
        {"type": "text", "text": "what is this? STANDIN:echo-images"}, image_part(data_url(PNG))])]}))
    assert text == "images: 1 image/png", text
    imgs = images_seen(standin, mark)
    assert imgs == [{"media_type": "image/png", "bytes": len(PNG), "sha256": hashlib.sha256(PNG).hexdigest()}], imgs


def test_two_images_string_form_streaming(proxy, standin):
    mark = standin.mark()
    r = proxy.stream_chat({"model": "sonnet", "messages": [user([
        {"type": "text", "text": "STANDIN:echo-images"},
        image_part(data_url(PNG), as_object=False),
        image_part(data_url(GIF, "image/gif"))])]}).read_all()
    assert r.done and r.text == "images: 2 image/png image/gif", r.summary()
    assert [i.get("sha256") for i in images_seen(standin, mark)] == \
        [hashlib.sha256(PNG).hexdigest(), hashlib.sha256(GIF).hexdigest()]


def test_images_of_earlier_messages_are_placeholders(proxy, standin):
    mark = standin.mark()
    text = chat_text(proxy.post_chat({"model": "sonnet", "messages": [
        user([{"type": "text", "text": "look"}, image_part(data_url(PNG))]),
        {"role": "assistant", "content": "a pixel"},
        user("and now? STANDIN:echo-user"),
    ]}))
    assert "[image]" in text, f"an earlier image should appear as [image] in the transcript: {text!r}"
    assert images_seen(standin, mark) == [], "only the latest user message's images are sent as blocks"


@pytest.mark.parametrize("url,why", [
    ("data:image/png;base64,%%%not-base64%%%", "bad base64"),
    (data_url(PNG, "image/bmp"), "unsupported media type"),
    ("data:text/plain;base64,aGVsbG8=", "not an image"),
    ("data:image/png,rawbytes", "not base64 encoded"),
    ("ftp://example.invalid/cat.png", "unknown scheme"),
])
def test_broken_image_is_400_naming_the_part(proxy, standin, url, why):
    mark = standin.mark()
    resp = proxy.post_chat({"model": "sonnet", "messages": [
        user("fine"), {"role": "assistant", "content": "ok"},
        user([{"type": "text", "text": "STANDIN:echo-images"}, image_part(url)])]})
    err = openai_error(resp, 400, code="invalid_image")
    assert "messages[2].content[1].image_url" in err["message"], f"{why}: the message should name the part: {err}"
    time.sleep(0.2)
    assert not standin.messages(mark), f"{why}: a refused image must not reach claude"


def test_remote_image_urls_are_off_by_default(proxy):
    resp = proxy.post_chat({"model": "sonnet", "messages": [
        user([{"type": "text", "text": "hi"}, image_part("https://example.invalid/cat.png")])]})
    err = openai_error(resp, 400, code="invalid_image")
    assert "remote image URLs are not enabled (config remote_images)" in err["message"], err
    assert "messages[0].content[1].image_url" in err["message"], err


def test_too_many_images_is_400(proxy):
    parts = [{"type": "text", "text": "many"}] + [image_part(data_url(PNG)) for _ in range(21)]
    err = openai_error(proxy.post_chat({"model": "sonnet", "messages": [user(parts)]}), 400, code="invalid_image")
    assert "messages[0].content[21].image_url" in err["message"], f"the 21st image is the one too many: {err}"
