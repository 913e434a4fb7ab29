"""Sample-design pages for analysts: frames, plan, draw, assignments and the printable sheet."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, MediaType, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template

from survey_app.accounts.guards import requires_role
from survey_app.db.dependencies import DbSession
from survey_app.design import assigning, frames, views
from survey_app.design.labels import age_label, sex_label
from survey_app.models.accounts import Role
from survey_app.pages import page

FORM = Body(media_type=RequestEncodingType.URL_ENCODED)


def design_page(
    request: Request[Any, Any, Any], name: str, status_code: int = 200, **context: Any
) -> Template:
    """`page()` with the helpers every sample-design template uses."""
    return page(
        request,
        name,
        status_code=status_code,
        describe=views.describe,
        field_labels=views.FIELD_LABELS,
        age_label=age_label,
        sex_label=sex_label,
        **context,
    )


@dataclass
class FrameUpload:
    file: UploadFile | None = None
    name: str = ""


class SampleDesignController(Controller):
    path = "/design"
    guards = [requires_role(Role.ANALYST, Role.ADMIN)]  # noqa: RUF012 - litestar reads this
    include_in_schema = False

    @get("/")
    async def index(self, request: Request[Any, Any, Any], db_session: DbSession) -> Template:
        return design_page(request, "design/index.html", view=await views.index_page(db_session))

    @post("/frames")
    async def upload(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        data: Annotated[FrameUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Template | Redirect:
        content = await data.file.read() if data.file is not None else None
        name = data.name or (data.file.filename.rsplit(".", 1)[0] if data.file else "")
        result = await views.upload_frame(db_session, content, name)
        if isinstance(result, int):
            return Redirect(f"/design/plan?frame_id={result}")
        return design_page(
            request,
            "design/index.html",
            status_code=result.problems.status_code,
            view=result,
        )

    @get("/frames/{frame_id:int}/csv")
    async def frame_csv(self, db_session: DbSession, frame_id: FromPath[int]) -> Response[str]:
        return Response(
            await frames.export_frame(db_session, frame_id),
            media_type="text/csv",
            headers={"content-disposition": f'attachment; filename="frame-{frame_id}.csv"'},
        )

    @get("/plan")
    async def plan_form(self, request: Request[Any, Any, Any], db_session: DbSession) -> Template:
        form = {key: str(value) for key, value in request.query_params.items()}
        return design_page(
            request, "design/plan.html", view=await views.plan_page(db_session, form)
        )

    @post("/plan")
    async def plan(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        data: Annotated[dict[str, str], FORM],
    ) -> Template | Redirect:
        view = await views.plan_page(db_session, data, data.get("action", "preview"))
        if view.saved_design is not None:
            return Redirect(f"/design/{view.saved_design}")
        return design_page(
            request, "design/plan.html", status_code=view.problems.status_code, view=view
        )

    @get("/{design_id:int}")
    async def design(
        self, request: Request[Any, Any, Any], db_session: DbSession, design_id: FromPath[int]
    ) -> Template:
        return design_page(
            request, "design/design.html", view=await views.design_page(db_session, design_id)
        )

    @post("/{design_id:int}/draw")
    async def draw(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        design_id: FromPath[int],
        data: Annotated[dict[str, str], FORM],
    ) -> Template | Redirect:
        view = await views.draw_from_form(db_session, design_id, data)
        if not view.problems:
            return Redirect(f"/design/{design_id}#sample")
        return design_page(
            request, "design/design.html", status_code=view.problems.status_code, view=view
        )

    @post("/{design_id:int}/assign")
    async def assign(
        self, request: Request[Any, Any, Any], db_session: DbSession, design_id: FromPath[int]
    ) -> Template | Redirect:
        form = await request.form()
        view = await views.assign_from_form(db_session, design_id, form.getall("enumerator", []))
        if not view.problems:
            return Redirect(f"/design/{design_id}#assignments")
        return design_page(
            request, "design/design.html", status_code=view.problems.status_code, view=view
        )

    @get("/{design_id:int}/sheet", media_type=MediaType.HTML)
    async def sheet(
        self, request: Request[Any, Any, Any], db_session: DbSession, design_id: FromPath[int]
    ) -> Template:
        view, sections = await assigning.sheet(db_session, design_id)
        return design_page(request, "design/sheet.html", view=view, sections=sections)
