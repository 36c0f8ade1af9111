"""English and Traditional Chinese: the language switcher, the user's preferred language,
and a complete, compiled Chinese catalogue."""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from tests.factories import UserFactory

PO_FILE = Path(settings.BASE_DIR) / "locale" / "zh_Hant" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%%")


def _po_entries(path: Path) -> list[dict]:
    """The entries of a .po file: msgctxt, msgid, msgid_plural, msgstr (or msgstr[n]) and
    flags. Enough of the format for our own catalogue; the header entry is left out."""
    entries, entry, key = [], None, None
    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            if entry and entry.get("msgid"):
                entries.append(entry)
            entry, key = None, None
            continue
        if entry is None:
            entry = {"flags": set()}
        if line.startswith("#,"):
            entry["flags"].update(f.strip() for f in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key] += ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            entry[key] = ast.literal_eval(value)
    return entries


@pytest.fixture(scope="module")
def catalogue() -> list[dict]:
    return _po_entries(PO_FILE)


def _translations(entry: dict) -> list[str]:
    return [value for key, value in entry.items() if key.startswith("msgstr")]


# --- The catalogue -------------------------------------------------------------------------

def test_the_chinese_catalogue_has_entries(catalogue):
    assert len(catalogue) > 300


def test_no_chinese_translation_is_missing(catalogue):
    missing = [e["msgid"] for e in catalogue if not all(t.strip() for t in _translations(e))]

    assert missing == []


def test_no_chinese_translation_is_fuzzy(catalogue):
    assert [e["msgid"] for e in catalogue if "fuzzy" in e["flags"]] == []


def test_chinese_translations_keep_every_placeholder(catalogue):
    broken = []
    for entry in catalogue:
        wanted = sorted(PLACEHOLDER.findall(entry.get("msgid_plural", entry["msgid"])))
        for text in _translations(entry):
            if "python-format" in entry["flags"] and sorted(PLACEHOLDER.findall(text)) != wanted:
                broken.append(entry["msgid"])
    assert broken == []


def test_the_compiled_catalogue_matches_the_po_file(catalogue):
    stale = []
    with translation.override("zh-hant"):
        for entry in catalogue:
            if "msgctxt" in entry:
                got = translation.pgettext(entry["msgctxt"], entry["msgid"])
            elif "msgid_plural" in entry:
                got = translation.ngettext(entry["msgid"], entry["msgid_plural"], 2)
            else:
                got = translation.gettext(entry["msgid"])
            expected = entry.get("msgstr", entry.get("msgstr[0]"))
            if got != expected:
                stale.append(entry["msgid"])
    assert stale == [], "run `make messages` and commit the .mo file"


def test_key_messages_read_naturally_in_chinese():
    with translation.override("zh-hant"):
        assert translation.gettext("Sign in") == "登入"
        assert translation.gettext("Cyberport AI Subsidy Scheme") == "數碼港人工智能資助計劃"
        assert "電郵地址" in translation.gettext(
            "Confirm your email address for the AI Subsidy Scheme")


# --- Choosing the language -----------------------------------------------------------------

@pytest.mark.django_db
def test_pages_are_in_english_by_default(client):
    page = client.get(reverse("core:home")).content.decode()

    assert 'lang="en-HK"' in page
    assert "Sign in" in page


@pytest.mark.django_db
def test_language_switcher_shows_the_next_page_in_chinese(client):
    response = client.post(reverse("set_language"), {"language": "zh-hant", "next": "/"})

    assert response.status_code == 302
    page = client.get(reverse("core:home")).content.decode()
    assert 'lang="zh-Hant-HK"' in page
    assert "數碼港人工智能資助計劃" in page
    assert ">登入<" in page


@pytest.mark.django_db
def test_language_switcher_can_switch_back_to_english(client):
    client.post(reverse("set_language"), {"language": "zh-hant", "next": "/"})
    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    assert 'lang="en-HK"' in client.get(reverse("core:home")).content.decode()


@pytest.mark.django_db
def test_a_user_who_prefers_chinese_sees_chinese_after_signing_in(client):
    client.force_login(UserFactory(language="zh-hant"))

    page = client.get(reverse("core:profile")).content.decode()

    assert 'lang="zh-Hant-HK"' in page
    assert "你的個人資料" in page


@pytest.mark.django_db
def test_the_switcher_overrides_the_preferred_language_for_the_visit(client):
    client.force_login(UserFactory(language="zh-hant"))

    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    assert 'lang="en-HK"' in client.get(reverse("core:profile")).content.decode()


@pytest.mark.django_db
def test_sign_up_page_offers_each_language_in_its_own_script(client):
    page = client.get(reverse("account_signup")).content.decode()
    select = re.search(r'<select[^>]*id="id_language".*?</select>', page, re.S).group(0)

    assert ">English<" in select
    assert ">繁體中文<" in select


@pytest.mark.django_db
def test_sign_up_page_in_chinese_shows_the_chinese_personal_data_notice(client):
    client.post(reverse("set_language"), {"language": "zh-hant", "next": "/"})

    page = client.get(reverse("account_signup")).content.decode()

    assert "收集個人資料聲明" in page
    assert "《個人資料（私隱）條例》" in page
    assert 'value="zh-hant" selected' in page


@pytest.mark.django_db
def test_sign_in_errors_use_our_hong_kong_wording(client):
    UserFactory(email="amy@startup.hk")
    client.post(reverse("set_language"), {"language": "zh-hant", "next": "/"})

    page = client.post(reverse("account_login"),
                       {"login": "amy@startup.hk", "password": "wrong-password"}).content.decode()

    assert "你輸入的電郵地址或密碼不正確。" in page
    assert "密碼：" in page


@pytest.mark.django_db
def test_password_rules_on_the_chinese_sign_up_page_use_our_wording(client):
    client.post(reverse("set_language"), {"language": "zh-hant", "next": "/"})

    response = client.post(reverse("account_signup"), {
        "email": "founder@startup.hk", "full_name": "陳大文", "language": "zh-hant",
        "password1": "12345678", "password2": "87654321"})

    page = response.content.decode()
    assert "密碼最少須有 12 個字元。" in page
    assert "此密碼太短，最少須有 12 個字元。" in page


@pytest.mark.django_db
def test_signing_in_greets_the_user_in_their_language(client):
    UserFactory(email="amy@startup.hk", full_name="陳美儀", language="zh-hant")

    client.post(reverse("account_login"),
                {"login": "amy@startup.hk", "password": "Correct-Horse-Battery-9"})
    page = client.get(reverse("core:profile")).content.decode()

    assert "陳美儀，歡迎你。你已成功登入。" in page
