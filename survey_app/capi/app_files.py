"""The installable app's own files: its service worker and web manifest.

The service worker's cache is named after a digest of every file it keeps, so a new release
replaces the cached app shell on the next visit while the interviews in IndexedDB stay.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import resources
from pathlib import Path

import msgspec

from survey_app.i18n import N_, translations

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
APP_SHELL = (
    "/enumerator",
    "/survey-assets/expressions.js",
    "/enumerator/manifest.webmanifest",
    "/static/minyi.css",
    "/static/capi/capi.css",
    "/static/capi/store.js",
    "/static/capi/form.js",
    "/static/capi/sync.js",
    "/static/capi/app.js",
    "/static/capi/icon.svg",
    "/static/capi/icon-192.png",
    "/static/capi/icon-512.png",
)
_STATIC_SHELL = tuple(
    path.removeprefix("/static/") for path in APP_SHELL if path.startswith("/static/")
)


@lru_cache(maxsize=1)
def _expressions_source() -> bytes:
    """`questionnaires/js/expressions.js`, which the web survey serves at /survey-assets/."""
    return resources.files("questionnaires").joinpath("js/expressions.js").read_bytes()


def _release() -> str:
    digest = hashlib.sha256(_expressions_source())
    for name in _STATIC_SHELL:
        digest.update((STATIC_DIR / name).read_bytes())
    return digest.hexdigest()[:16]


def service_worker() -> bytes:
    """`static/capi/sw.js` with its cache name and the list of app-shell files filled in."""
    source = (STATIC_DIR / "capi" / "sw.js").read_text(encoding="utf-8")
    return (
        source.replace("__RELEASE__", _release())
        .replace("__APP_SHELL__", msgspec.json.encode(list(APP_SHELL)).decode())
        .encode()
    )


def manifest(locale: str) -> bytes:
    gettext = translations(locale).gettext
    return msgspec.json.encode(
        {
            "name": gettext(N_("Minyi enumerator")),
            "short_name": gettext(N_("Minyi")),
            "lang": locale.replace("_", "-"),
            "start_url": "/enumerator",
            "scope": "/enumerator",
            "display": "standalone",
            "orientation": "any",
            "background_color": "#ffffff",
            "theme_color": "#0b5cad",
            "icons": [
                {"src": "/static/capi/icon-192.png", "sizes": "192x192", "type": "image/png"},
                {"src": "/static/capi/icon-512.png", "sizes": "512x512", "type": "image/png"},
                {"src": "/static/capi/icon.svg", "sizes": "any", "type": "image/svg+xml"},
            ],
        }
    )
