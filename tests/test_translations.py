"""Every UI string is translated into Chinese, and the compiled catalogue matches the source."""

import subprocess
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_catalogue_is_complete_and_compiles():
    out = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(PO)], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert "untranslated" not in out.stderr and "fuzzy" not in out.stderr, out.stderr


def source_folders() -> list[str]:
    """Every folder of the project that holds UI strings: each local app (its Python modules and its own templates),
    the project's templates and settings (config), and the static files (for JavaScript strings)."""
    project = [app for app in settings.INSTALLED_APPS if (ROOT / app.split(".")[0]).is_dir()]
    return [*sorted({app.split(".")[0] for app in project}), "templates", "config", "static"]


def test_every_local_app_is_covered():
    """The list is read from the settings: an app added to INSTALLED_APPS is covered without editing this file."""
    folders = source_folders()
    assert set(settings.LOCAL_APPS) <= set(folders)
    assert {"accounts", "children", "visits", "guardianship", "tasks", "oversight", "dashboards", "api"} <= set(folders)


def test_no_source_string_is_missing_from_the_catalogue(tmp_path):
    """makemessages over a copy of the code finds no msgid that the committed catalogue lacks, for the Python
    modules and templates of every local app and, if the project has any JavaScript, its djangojs strings.

    (A copy, because makemessages writes into the `locale/` folder it finds under its working directory.)"""
    import os
    import shutil

    from tests.conftest import require

    require(bool(shutil.which("xgettext")), "xgettext (gettext): apt-get install gettext")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "migrations")
    for name in [*source_folders(), "locale"]:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, tmp_path / name, ignore=ignore)
    scripts = [p for p in tmp_path.rglob("*.js") if "gettext(" in p.read_text(errors="replace")]
    from django.core.management import call_command
    from django.test import override_settings

    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        with override_settings(LOCALE_PATHS=[tmp_path / "locale"]):
            call_command("makemessages", locale=["zh_Hans"], no_obsolete=True, verbosity=0)
            if scripts:
                call_command("makemessages", locale=["zh_Hans"], domain="djangojs", no_obsolete=True, verbosity=0)
    finally:
        os.chdir(cwd)
    for domain in ["django", *(["djangojs"] if scripts else [])]:
        copied = tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES" / f"{domain}.po"
        out = subprocess.run(["msgfmt", "--statistics", "-o", "/dev/null", str(copied)], capture_output=True, text=True)
        assert "untranslated" not in out.stderr and "fuzzy" not in out.stderr, (domain, out.stderr)
