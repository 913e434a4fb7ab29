"""Rendering server-side pages with the request's locale, user and formatter."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Request
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.template.config import TemplateConfig

from survey_app.i18n import LANGUAGE_COOKIE, Formatter, negotiate, translations

TEMPLATE_DIR = Path(__file__).parent / "templates"


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    def configure(engine: JinjaTemplateEngine) -> None:
        engine.engine.autoescape = True
        engine.engine.add_extension("jinja2.ext.i18n")

    return TemplateConfig(
        directory=TEMPLATE_DIR, engine=JinjaTemplateEngine, engine_callback=configure
    )


def request_locale(request: Request[Any, Any, Any]) -> str:
    return negotiate(request.query_params.get("lang") or request.cookies.get(LANGUAGE_COOKIE))


def page(
    request: Request[Any, Any, Any], name: str, status_code: int = 200, **context: Any
) -> Template:
    """A page in the request's locale; `?lang=en` switches and remembers the language."""
    locale = request_locale(request)
    catalog = translations(locale)
    response = Template(
        template_name=name,
        status_code=status_code,
        context={
            "_": catalog.gettext,
            "ngettext": catalog.ngettext,
            "locale": locale,
            "html_lang": locale.replace("_", "-"),
            "fmt": Formatter(locale),
            "user": request.scope.get("user"),
            "path": request.url.path,
            **context,
        },
    )
    if request.query_params.get("lang"):
        response.set_cookie(LANGUAGE_COOKIE, locale, max_age=365 * 86400, httponly=True)
    return response
