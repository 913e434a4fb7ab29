"""ODK Collect's conversation with a real server over HTTP, on the demo city's questionnaire."""

from __future__ import annotations

import sqlite3
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import httpx
import pytest

from questionnaires.serialization import from_json
from questionnaires.xform_submission import write_submission
from tests.app.test_openrosa import check_xform_structure

XFORMS_LIST = "{http://openrosa.org/xforms/xformsList}"
COLLECT = {"X-OpenRosa-Version": "1.0", "User-Agent": "org.odk.collect.android/v2024.3"}


@pytest.fixture(scope="module")
def demo_form_answers(
    live_server: str, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Any, dict[str, Any]]:
    """The demo questionnaire and a complete set of answers in enum02's first community."""
    [database] = tmp_path_factory.getbasetemp().glob("live[0-9]*/minyi.db")
    with sqlite3.connect(f"file:{Path(database)}?mode=ro", uri=True) as connection:
        [(definition,)] = connection.execute(
            "SELECT definition FROM questionnaire_versions ORDER BY id DESC LIMIT 1"
        ).fetchall()
        [(community, street, district)] = connection.execute(
            "SELECT c.code, s.code, d.code FROM assignments a "
            "JOIN users u ON u.id = a.enumerator_id JOIN frame_units c ON c.id = a.unit_id "
            "JOIN frame_units s ON s.id = c.parent_id JOIN frame_units d ON d.id = s.parent_id "
            "WHERE u.username = 'enum02' ORDER BY a.id LIMIT 1"
        ).fetchall()
    questionnaire = from_json(definition)
    answers = {
        "consent": "agree",
        "resident_6m": "yes",
        "age": 41,
        "sex": "female",
        "district": district,
        "street": street,
        "community": community,
        "aware": "dont_know",
        "support": "support",
        "participated": "not_participated",
        "volunteer_support": "support",
        "satisfaction": "very_satisfied",
        "living_environment": "satisfied",
        "security": "fairly_safe",
        "education_satisfaction": "satisfied",
        "government_services_satisfaction": "neutral",
    }
    return questionnaire, answers


def test_odk_collect_over_http(
    live_server: str, demo_form_answers: tuple[Any, dict[str, Any]]
) -> None:
    questionnaire, answers = demo_form_answers
    auth = ("enum02", "minyi-enumerator")
    with httpx.Client(base_url=f"{live_server}/openrosa", headers=COLLECT, timeout=30) as collect:
        listing = collect.get("/formList", auth=auth)
        assert listing.status_code == 200
        assert listing.headers["x-openrosa-version"] == "1.0"
        [entry] = ET.fromstring(listing.content)
        assert entry.findtext(f"{XFORMS_LIST}formID") == questionnaire.id
        url = entry.findtext(f"{XFORMS_LIST}downloadUrl", "")
        assert url.startswith(live_server)

        form = collect.get(url, auth=auth)
        assert form.status_code == 200
        assert entry.findtext(f"{XFORMS_LIST}hash", "").startswith("md5:")
        check_xform_structure(form.content)

        preflight = collect.head("/submission", auth=auth)
        assert preflight.status_code == 204
        assert preflight.headers["x-openrosa-accept-content-length"].isdigit()

        instance_id = f"uuid:{uuid.uuid4()}"
        body = write_submission(questionnaire, answers, instance_id)
        files = {"xml_submission_file": ("submission.xml", body, "text/xml")}
        assert collect.post("/submission", files=files, auth=auth).status_code == 201
        assert collect.post("/submission", files=files, auth=auth).status_code == 202
        changed = write_submission(questionnaire, {**answers, "support": "unsure"}, instance_id)
        conflict = collect.post(
            "/submission",
            files={"xml_submission_file": ("submission.xml", changed, "text/xml")},
            auth=auth,
        )
        assert conflict.status_code == 409
        assert conflict.headers["x-openrosa-version"] == "1.0"

        refused = collect.post("/submission", files=files, auth=("enum02", "wrong-password"))
        assert refused.status_code == 401
        assert refused.headers["www-authenticate"].startswith("Basic")
        assert refused.headers["x-openrosa-version"] == "1.0"
