"""A 300 KB prompt goes through intact (stdin, not argv)."""
from harness import chat_text


def test_300kb_prompt(proxy, standin):
    filler = "0123456789abcdef" * (300_000 // 16)
    prompt = "STANDIN:echo-length\n" + filler
    mark = standin.mark()
    text = chat_text(proxy.chat(prompt, timeout=120))
    assert text.strip().isdigit(), f"expected a number, got {text[:200]!r}"
    n = int(text.strip())
    assert len(prompt) <= n <= len(prompt) + 4096, (
        f"the stand-in counted {n} characters in the block with the directive; the prompt has {len(prompt)}")
    seen = [e for e in standin.entries(mark) if e.get("directive") == "echo-length"]
    assert seen and seen[-1]["last_user_chars"] >= len(prompt), seen
