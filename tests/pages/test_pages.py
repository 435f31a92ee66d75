"""GET /privacy and GET /terms: plain HTML, no scripts, and what they say comes from this deployment's settings."""
import re
from html.parser import HTMLParser

import pytest

from tests.conftest import make_settings

NUMBER = "+14155550199"


@pytest.fixture
def settings(tmp_path):
    return make_settings(tmp_path, retention_days=45, twilio_from_number=NUMBER,
                         public_base_url="https://tb.example.org", quiet_hours="22-7", thinking_daily_cap=4)


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.text, self.links = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.links += [v for k, v in attrs if k == "href"]
        if any(k.startswith("on") for k, _ in attrs):
            self.tags.append("inline-handler")

    def handle_data(self, data):
        self.text.append(data)


def parse(body: str) -> Tags:
    tags = Tags()
    tags.feed(body)
    return tags


@pytest.mark.parametrize("path", ["/privacy", "/terms"])
def test_pages_are_plain_html_without_scripts(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = parse(response.get_data(as_text=True))
    assert "script" not in page.tags and "inline-handler" not in page.tags
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert {"/privacy", "/terms"} <= set(page.links)
    assert "https://tb.example.org" in " ".join(page.text)


def test_privacy_states_what_is_stored_protected_kept_and_how_to_delete(client):
    text = " ".join(" ".join(parse(client.get("/privacy").get_data(as_text=True)).text).split())
    for fact in ("mobile number", "answers to the daily question", "promises", "voice profiles",
                 "encrypted", "erased after 45 days", "DELETE MY DATA to +14155550199", "STOP",
                 "Text HELP to +14155550199"):
        assert fact in text, fact
    assert not re.search(r"\{\{|\{%", text), "template syntax leaked"


def test_terms_use_the_deployment_limits(client):
    text = " ".join(" ".join(parse(client.get("/terms").get_data(as_text=True)).text).split())
    for fact in ("22:00 to 07:00", "at most 4", "not therapy", "not an emergency service", "replying YES"):
        assert fact in text, fact


def test_pages_answer_only_get(client):
    assert client.post("/privacy").status_code == 405
