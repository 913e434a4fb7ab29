"""The application factory: `create_app(settings)` wires routes, database, templates, errors."""

from __future__ import annotations

import gc
from pathlib import Path

from advanced_alchemy.extensions.litestar import SQLAlchemyAsyncConfig, SQLAlchemyPlugin
from litestar import Litestar
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.static_files import create_static_files_router
from sqlalchemy.ext.asyncio import async_sessionmaker

from survey_app.accounts.admin import AuditController, UserAdminController
from survey_app.accounts.controllers import AccountController
from survey_app.accounts.cross_site import CSRF_EXEMPT_PREFIXES
from survey_app.accounts.middleware import SessionAuthenticationMiddleware
from survey_app.accounts.profile import ProfileController
from survey_app.analysis.controllers import AnalysisController
from survey_app.capi.controllers import CapiApiController, EnumeratorAppController
from survey_app.collection.controllers import ResidentSurveyController, expressions_script
from survey_app.db.engine import make_engine
from survey_app.design.controllers import SampleDesignController
from survey_app.health import health
from survey_app.home import home
from survey_app.http_errors import EXCEPTION_HANDLERS
from survey_app.logs import configure_logging
from survey_app.openrosa.controllers import OpenRosaController
from survey_app.pages import template_config
from survey_app.ratelimits.plugin import RateLimitPlugin
from survey_app.reports.controllers import ReportController
from survey_app.review.controllers import ReviewController
from survey_app.security_headers import add_security_headers
from survey_app.settings import Settings
from survey_app.surveys.api import SurveyApiController
from survey_app.surveys.controllers import AdminController, SurveyPagesController

STATIC_DIR = Path(__file__).parent / "static"
MAX_REQUEST_BYTES = 2 * 1024 * 1024


def freeze_startup_heap() -> None:
    """Move what start-up allocated (modules, routes, templates, catalogs) out of the garbage
    collector's sight, so that its full collections scan only what requests left behind."""
    gc.collect()
    gc.freeze()


def create_app(settings: Settings | None = None) -> Litestar:
    """Build the app; nothing connects to the database until the first request."""
    settings = (settings or Settings.from_env()).with_secret_key()
    configure_logging(settings.log_level)
    engine = make_engine(settings)
    sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
    database = SQLAlchemyAsyncConfig(
        engine_instance=engine,
        session_maker=sessionmaker,
        set_default_exception_handler=False,
    )
    return Litestar(
        route_handlers=[
            health,
            home,
            AccountController,
            ProfileController,
            UserAdminController,
            AuditController,
            AdminController,
            SurveyPagesController,
            SurveyApiController,
            ResidentSurveyController,
            expressions_script,
            EnumeratorAppController,
            CapiApiController,
            ReviewController,
            OpenRosaController,
            AnalysisController,
            ReportController,
            SampleDesignController,
            create_static_files_router(path="/static", directories=[STATIC_DIR], name="static"),
        ],
        plugins=[SQLAlchemyPlugin(config=database), RateLimitPlugin(settings, engine)],
        middleware=[
            DefineMiddleware(
                SessionAuthenticationMiddleware, exclude=["/static", "/health", "/schema"]
            ),
        ],
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_httponly=True,
            exclude=list(CSRF_EXEMPT_PREFIXES),
        ),
        template_config=template_config(),
        exception_handlers=EXCEPTION_HANDLERS,
        openapi_config=OpenAPIConfig(
            title="Minyi 民意",
            version="0.1.0",
            path="/schema",
            render_plugins=[JsonRenderPlugin(path=["/", "/openapi.json"])],
        ),
        state=State({"settings": settings, "database": database}),
        request_max_body_size=MAX_REQUEST_BYTES,
        before_send=[add_security_headers],
        logging_config=None,
        on_startup=[freeze_startup_heap],
        on_shutdown=[engine.dispose],
    )
