"""Every page a resident meets speaks one language: Chinese by default, English on request.

Words come from the catalogs (the app's own) or from the questionnaire's zh/en labels; a string
left untranslated shows up as English on a Chinese page or as Chinese on an English page, and
fails here. Text marked with its own `lang` (the language switch, the legal markings, which are
a legal text in the form's language) is exempt.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from babel.support import NullTranslations
from litestar import Litestar
from litestar.testing import TestClient

from survey_app import pages
from survey_app.collection import entry
from survey_app.settings import Settings
from tests.app.test_resident_pages import (
    ABOUT_ME,
    ELIGIBLE,
    HTML,
    SLUG,
    Resident,
    add_survey,
)

pytestmark = pytest.mark.db

LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
CHINESE = re.compile(r"[\u3400-\u9fff]")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class VisibleText(HTMLParser):
    """Text a person sees or hears: text nodes and labelling attributes, minus `lang` parts."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self.stack: list[bool] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        skipped = (self.stack[-1] if self.stack else False) or (
            tag in ("script", "style") or ("lang" in named and tag != "html")
        )
        if not skipped:
            self.texts.extend(v for k, v in attrs if k in ("aria-label", "title", "alt") and v)
            if tag == "button":
                self.texts.extend(v for k, v in attrs if k in ("data-next", "data-finish") and v)
        if tag not in VOID:
            self.stack.append(skipped)

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not (self.stack and self.stack[-1]) and data.strip():
            self.texts.append(data.strip())


def foreign_words(html: str, locale: str) -> list[str]:
    """Visible texts that are not in `locale` (zh_CN or en)."""
    parser = VisibleText()
    parser.feed(html)
    wrong = LATIN_WORD if locale == "zh_CN" else CHINESE
    return [text for text in parser.texts if wrong.search(text)]


def every_page_type(client: TestClient[Litestar], language: str) -> dict[str, str]:
    """One page of each kind a resident can meet, in `language`."""
    client.get(f"/s/{SLUG}?lang={language}", headers=HTML)
    seen: dict[str, str] = {}
    resident = Resident(client)
    seen["first page"] = resident.open(f"/s/{SLUG}").text
    resident.post({"q.consent": "agree"})
    seen["page with problems"] = resident.post({"q.resident_6m": "yes", "q.age": "130"}).text
    resident.post(ELIGIBLE)
    seen["choice filter page"] = resident.page
    seen["saved"] = resident.post({**ABOUT_ME}, action="save").text
    resident.open(resident.url.replace("/saved/", "/r/"))
    resident.post(ABOUT_ME)
    seen["page after"] = resident.page
    screened = Resident(client)
    screened.open(f"/s/{SLUG}/i/family")
    screened.post({"q.consent": "agree"})
    seen["screened out"] = screened.post({"q.resident_6m": "no", "q.age": "40"}).text
    for name, path in {
        "forged invitation": f"/s/{SLUG}/i/forged",
        "used invitation": f"/s/{SLUG}/i/gone",
        "unknown resume link": f"/s/{SLUG}/r/unknown",
        "unknown survey": "/s/unknown",
    }.items():
        seen[name] = client.get(path, headers=HTML).text
    return seen


@pytest.fixture
def survey(clean_settings: Settings) -> Settings:
    add_survey(clean_settings, tokens={"family": (3, None), "gone": (0, None)})
    return clean_settings


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_every_resident_page_is_in_one_language(
    client: TestClient[Litestar], survey: Settings, locale: str
) -> None:
    for name, html in every_page_type(client, locale).items():
        assert f'<html lang="{locale.replace("_", "-")}">' in html, name
        assert foreign_words(html, locale) == [], name


def test_the_busy_notice_is_translated(
    client: TestClient[Litestar], survey: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(entry, "DEVICE_STARTS_PER_DAY", 0)
    for locale in ("zh_CN", "en"):
        resident = Resident(client)
        resident.open(f"/s/{SLUG}?lang={locale}")
        busy = resident.post({"q.consent": "agree"})
        assert busy.status_code == 429
        assert foreign_words(busy.text, locale) == [], locale


def test_an_untranslated_string_is_caught(
    client: TestClient[Litestar], survey: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check above is not vacuous: without the Chinese catalog, English shows and fails."""
    monkeypatch.setattr(pages, "translations", lambda locale: NullTranslations())
    first = Resident(client)
    first.open(f"/s/{SLUG}")
    assert "Privacy notice" in foreign_words(first.page, "zh_CN")
    hard_coded = first.page.replace("</main>", "<p>谢谢</p></main>")
    assert "谢谢" in foreign_words(hard_coded, "en")
