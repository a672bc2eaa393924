"""Translation catalogs: complete (0 untranslated, 0 fuzzy), current with the code, compiled."""

import gettext as gettext_module
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

LOCALE = Path(settings.BASE_DIR) / "locale"
LANGUAGES = ["pt_BR", "en"]
GETTEXT = shutil.which("xgettext") and shutil.which("msgcmp")
needs_gettext = pytest.mark.skipif(not GETTEXT, reason="GNU gettext tools not installed")


def po_entries(path: Path) -> list[dict]:
    """Minimal .po reader: msgid, msgstr(s) and flags of every entry but the header."""
    entries, current, key = [], None, None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if current and current.get("msgid", "") != "":
                entries.append(current)
            current, key = None, None
            continue
        current = current or {"flags": "", "msgstr": []}
        if line.startswith("#,"):
            current["flags"] += line
        elif line.startswith("#"):
            continue
        elif line.startswith(("msgid ", "msgid_plural ", "msgctxt ")):
            key, _, value = line.partition(" ")
            current[key] = _unquote(value)
        elif line.startswith("msgstr"):
            key = "msgstr"
            current["msgstr"].append(_unquote(line.partition(" ")[2]))
        elif line.startswith('"') and key:
            if key == "msgstr":
                current["msgstr"][-1] += _unquote(line)
            else:
                current[key] += _unquote(line)
    return entries


def _unquote(value: str) -> str:
    return value.strip()[1:-1].encode().decode("unicode_escape").encode("latin-1").decode()


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_has_no_untranslated_or_fuzzy_entries(language):
    entries = po_entries(LOCALE / language / "LC_MESSAGES" / "django.po")
    assert entries, "empty catalog"
    untranslated = [e["msgid"] for e in entries if not all(e["msgstr"])]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert not untranslated, untranslated[:20]
    assert not fuzzy, fuzzy[:20]


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalog_is_present(language):
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo} missing: run make messages and commit the .mo"


def makefile_ignore_patterns() -> list[str]:
    """The ``--ignore`` folders of ``make messages`` (one list, read from the Makefile)."""
    makefile = (Path(settings.BASE_DIR) / "Makefile").read_text(encoding="utf-8")
    line = re.search(r"^MESSAGES_IGNORE :=(.*)$", makefile, re.MULTILINE)
    assert line, "Makefile has no MESSAGES_IGNORE"
    return re.findall(r"--ignore=(\S+)", line.group(1))


def test_makefile_ignores_only_folders_without_interface_strings():
    ignored = makefile_ignore_patterns()
    assert {".venv", "bench", "loadtests", "tests", "var", "staticfiles"} <= set(ignored)
    # A pattern matches a folder name at any depth: never one that holds app code.
    app_folders = {p.name for p in Path(settings.BASE_DIR, "studyapp").rglob("*") if p.is_dir()}
    app_folders |= {p.name for p in Path(settings.BASE_DIR, "templates").rglob("*") if p.is_dir()}
    assert not app_folders & set(ignored)


@needs_gettext
def test_every_string_in_the_code_is_in_both_catalogs(tmp_path, monkeypatch):
    """Regenerate the catalogs from the code into a temporary folder and compare both ways.

    makemessages writes into ``./locale`` whenever it exists, so it runs in a mirror of the
    project (symlinks to every top-level entry but ``locale``) with its own ``locale``.
    """
    base = Path(settings.BASE_DIR)
    mirror = tmp_path / "project"
    mirror.mkdir()
    for entry in base.iterdir():
        if entry.name != "locale":
            (mirror / entry.name).symlink_to(entry)
    for language in LANGUAGES:
        (mirror / "locale" / language / "LC_MESSAGES").mkdir(parents=True)
    monkeypatch.chdir(mirror)
    with override_settings(LOCALE_PATHS=[mirror / "locale"]):
        call_command(
            "makemessages",
            locale=LANGUAGES,
            no_location=True,
            no_obsolete=True,
            symlinks=True,
            ignore_patterns=makefile_ignore_patterns(),
            verbosity=0,
        )
    for language in LANGUAGES:
        fresh = mirror / "locale" / language / "LC_MESSAGES" / "django.po"
        committed = LOCALE / language / "LC_MESSAGES" / "django.po"
        assert fresh.exists()
        for definitions, reference, problem in [
            (committed, fresh, "strings in the code are missing from the catalog"),
            (fresh, committed, "the catalog has strings the code no longer uses"),
        ]:
            result = subprocess.run(
                ["msgcmp", "--use-untranslated", "--use-fuzzy", str(definitions), str(reference)],
                capture_output=True,
                text=True,
                check=False,
            )
            assert result.returncode == 0, (
                f"{language}: {problem} (run make messages and translate):\n{result.stderr[:3000]}"
            )


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalog_matches_its_po(language):
    """The committed .mo is the compiled .po (read with Python's gettext: no tools needed)."""
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    with po.with_suffix(".mo").open("rb") as mo:
        compiled = gettext_module.GNUTranslations(mo)
    stale = []
    for entry in po_entries(po):
        context, msgid = entry.get("msgctxt"), entry["msgid"]
        if "msgid_plural" in entry:
            plural = entry["msgid_plural"]
            got = [
                compiled.npgettext(context, msgid, plural, n)
                if context
                else compiled.ngettext(msgid, plural, n)
                for n in (1, 2)
            ]
        else:
            got = [compiled.pgettext(context, msgid) if context else compiled.gettext(msgid)]
        if got != entry["msgstr"]:
            stale.append(entry["msgid"])
    assert not stale, f"{language}: .mo out of date (run make messages): {stale[:10]}"


def test_english_catalog_translates_the_interface():
    with translation.override("en"):
        assert translation.gettext("Mostrar resposta") == "Show answer"
        assert translation.gettext("Estudar") == "Study"
    with translation.override("pt-br"):
        assert translation.gettext("Mostrar resposta") == "Mostrar resposta"


def portuguese_only_msgids() -> list[str]:
    """UI strings whose English differs: none of them may show on an English page."""
    entries = po_entries(LOCALE / "en" / "LC_MESSAGES" / "django.po")
    return [
        e["msgid"]
        for e in entries
        if "msgid_plural" not in e
        and "%" not in e["msgid"]
        and "{" not in e["msgid"]
        and len(e["msgid"]) >= 12
        and e["msgstr"][0] != e["msgid"]
        and re.search(r"[a-zçãõéêáíóú]{4}", e["msgid"])
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/", "/decks/ecr/", "/study/", "/quiz/", "/progress/", "/accounts/login/"]
)
def test_key_pages_in_english_show_no_portuguese_interface_string(client, all_content, user, url):
    if url != "/accounts/login/":
        client.force_login(user)
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    leaks = [msgid for msgid in portuguese_only_msgids() if f">{msgid}<" in html]
    assert not leaks, leaks
