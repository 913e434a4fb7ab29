"""OpenRosa 1.0 as ODK Collect speaks it: discovery, download, HEAD, multipart POST, dedup."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET

import httpx
import msgspec
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from questionnaires.templates import load_template
from questionnaires.xform_submission import write_submission
from survey_app.settings import Settings
from tests.app.test_capi import (
    NOTICE,
    PASSWORD,
    Fieldwork,
    add_version,
    complete_answers,
    consent_record,
    count_responses,
    make_fieldwork,
    small_form,
    stored,
)

pytestmark = pytest.mark.db
XFORMS = "{http://www.w3.org/2002/xforms}"
XHTML = "{http://www.w3.org/1999/xhtml}"
JR = "{http://openrosa.org/javarosa}"
AUTH = ("ena", PASSWORD)


@pytest.fixture
def fieldwork(clean_settings: Settings) -> Fieldwork:
    return make_fieldwork(clean_settings)


def instance(instance_id: str, **changes: object) -> bytes:
    questionnaire = load_template("civilized_city_resident").questionnaire
    return write_submission(questionnaire, complete_answers(**changes), instance_id)


def submit(
    client: TestClient[Litestar], body: bytes, auth: tuple[str, str] = AUTH
) -> httpx.Response:
    return client.post(
        "/openrosa/submission",
        files={"xml_submission_file": ("submission.xml", body, "text/xml")},
        auth=auth,
        headers={"X-OpenRosa-Version": "1.0"},
    )


def check_xform_structure(document: bytes) -> None:
    """What ODK Collect (JavaRosa) needs of an XForm: head/title/model, one primary instance
    with an id and meta/instanceID, binds and controls that point at instance nodes, itext
    for every jr:itext reference, a secondary instance for every itemset."""
    root = ET.fromstring(document)
    assert root.tag == f"{XHTML}html"
    head = root.find(f"{XHTML}head")
    assert head is not None
    assert head.findtext(f"{XHTML}title")
    model = head.find(f"{XFORMS}model")
    assert model is not None
    instances = model.findall(f"{XFORMS}instance")
    primary = [i for i in instances if "id" not in i.attrib]
    assert len(primary) == 1
    [data] = list(primary[0])
    assert data.get("id")
    assert data.get("version")
    assert data.find(f"{XFORMS}meta/{XFORMS}instanceID") is not None
    paths = set()

    def collect(node: ET.Element, prefix: str) -> None:
        path = f"{prefix}/{node.tag.removeprefix(XFORMS)}"
        paths.add(path)
        for child in node:
            collect(child, path)

    collect(data, "")
    binds = model.findall(f"{XFORMS}bind")
    assert binds
    for bind in binds:
        assert bind.get("nodeset") in paths, bind.get("nodeset")
    secondary = {i.get("id") for i in instances if "id" in i.attrib}
    itext_ids = {
        text.get("id")
        for translation in model.findall(f"{XFORMS}itext/{XFORMS}translation")
        for text in translation.findall(f"{XFORMS}text")
    }
    translations = model.findall(f"{XFORMS}itext/{XFORMS}translation")
    assert sum(1 for t in translations if t.get("default") == "true()") == 1
    body = root.find(f"{XHTML}body")
    assert body is not None
    controls = 0
    for element in body.iter():
        tag = element.tag.removeprefix(XFORMS)
        if tag in ("input", "select1", "select"):
            controls += 1
            assert element.get("ref") in paths, element.get("ref")
        if tag == "group" and element.get("ref"):
            assert element.get("ref") in paths
        if tag == "itemset":
            name = element.get("nodeset", "").split("'")[1]
            assert name in secondary, name
        reference = element.get("ref", "")
        if reference.startswith("jr:itext('"):
            assert reference[len("jr:itext('") : -2] in itext_ids, reference
    assert controls > 10


def test_collect_discovers_downloads_and_submits_once(
    client: TestClient[Litestar], fieldwork: Fieldwork, clean_settings: Settings
) -> None:
    listing = client.get("/openrosa/formList", auth=AUTH)
    assert listing.status_code == 200
    assert listing.headers["x-openrosa-version"] == "1.0"
    assert listing.headers["content-type"].startswith("text/xml")
    forms = ET.fromstring(listing.content)
    assert forms.tag == "{http://openrosa.org/xforms/xformsList}xforms"
    [entry] = list(forms)
    ns = "{http://openrosa.org/xforms/xformsList}"
    assert entry.findtext(f"{ns}formID") == "civilized_city_resident"
    assert entry.findtext(f"{ns}hash", "").startswith("md5:")
    url = entry.findtext(f"{ns}downloadUrl", "")
    assert url.startswith("http://127.0.0.1/openrosa/forms/")

    download = client.get(url.removeprefix("http://127.0.0.1"), auth=AUTH)
    assert download.status_code == 200
    assert download.headers["x-openrosa-version"] == "1.0"
    check_xform_structure(download.content)

    preflight = client.head("/openrosa/submission", auth=AUTH)
    assert preflight.status_code == 204
    assert preflight.headers["x-openrosa-version"] == "1.0"
    assert int(preflight.headers["x-openrosa-accept-content-length"]) > 100_000

    instance_id = f"uuid:{uuid.uuid4()}"
    first = submit(client, instance(instance_id))
    assert first.status_code == 201
    assert first.headers["x-openrosa-version"] == "1.0"
    assert "OpenRosaResponse" in first.text
    again = submit(client, instance(instance_id))
    assert again.status_code == 202
    conflicting = submit(client, instance(instance_id, support="unsure"))
    assert conflicting.status_code == 409
    assert conflicting.headers["x-openrosa-version"] == "1.0"
    response = stored(clean_settings, instance_id.removeprefix("uuid:"))
    assert response.mode.value == "openrosa"
    assert response.answers["support"] == "support"
    assert response.review_state.value == "conflict"
    assert response.disposition == "1.1"


def test_collect_is_asked_for_credentials(
    client: TestClient[Litestar], fieldwork: Fieldwork
) -> None:
    for attempt in (
        client.get("/openrosa/formList"),
        client.get("/openrosa/formList", auth=("ena", "wrong-password")),
        client.head("/openrosa/submission", auth=("sup", PASSWORD)),
        submit(client, instance(f"uuid:{uuid.uuid4()}"), auth=("ena", "nope")),
    ):
        assert attempt.status_code == 401
        assert attempt.headers["www-authenticate"].startswith("Basic realm=")
        assert attempt.headers["x-openrosa-version"] == "1.0"


def test_guessing_an_enumerators_password_through_collect_locks_him_out(
    client: TestClient[Litestar], fieldwork: Fieldwork
) -> None:
    """Wrong Basic passwords count towards the sign-in lockout: after five, even the right
    password is refused (429) for the lockout window, on OpenRosa and on the sign-in form."""
    for _ in range(5):
        assert client.get("/openrosa/formList", auth=("ena", "guess")).status_code == 401
    refused = client.get("/openrosa/formList", auth=AUTH)
    assert refused.status_code == 429
    assert refused.headers["x-openrosa-version"] == "1.0"
    login = client.get("/login")
    token = login.text.split('name="_csrf_token" value="')[1].split('"')[0]
    form = client.post(
        "/login",
        data={"username": "ena", "password": PASSWORD, "_csrf_token": token},
        headers={"accept": "text/html"},
        follow_redirects=False,
    )
    assert form.status_code == 429


def test_bad_submissions_get_a_message_not_a_trace(
    client: TestClient[Litestar], fieldwork: Fieldwork
) -> None:
    empty = client.post("/openrosa/submission", files={"other": ("a.jpg", b"x")}, auth=AUTH)
    assert empty.status_code == 400
    assert "xml_submission_file" in empty.text
    broken = submit(client, b"<data id='civilized_city_resident'")
    assert broken.status_code == 400
    other_form = submit(
        client, b"<data id='x' version='1'><meta><instanceID>u</instanceID></meta></data>"
    )
    assert other_form.status_code == 404
    invalid = submit(client, instance(f"uuid:{uuid.uuid4()}", age="abc"))
    assert invalid.status_code == 422
    assert client.get("/openrosa/forms/999/form.xml", auth=AUTH).status_code == 404


def test_a_submission_records_the_notice_and_the_consent_and_no_location(
    client: TestClient[Litestar], fieldwork: Fieldwork, clean_settings: Settings
) -> None:
    """Collect says nothing of the language shown: the form's default language (zh) is named.
    Location-like elements the form does not define are not stored."""
    agreed = f"uuid:{uuid.uuid4()}"
    located = instance(agreed).replace(
        b"<meta>", b"<gps>30.123456 120.987654 0 5</gps><meta><location>30.12 120.98</location>"
    )
    assert submit(client, located).status_code == 201
    response = stored(clean_settings, agreed.removeprefix("uuid:"))
    assert response.paradata["consent"] == consent_record(NOTICE, "zh", given=True)
    assert "30.1" not in msgspec.json.encode([response.answers, response.paradata]).decode()
    declined = f"uuid:{uuid.uuid4()}"
    form = load_template("civilized_city_resident").questionnaire
    assert (
        submit(client, write_submission(form, {"consent": "decline"}, declined)).status_code == 201
    )
    refusal = stored(clean_settings, declined.removeprefix("uuid:"))
    assert refusal.disposition == "2.11"
    assert refusal.paradata["consent"] == consent_record(NOTICE, "zh", given=False)


def test_a_complete_submission_from_a_form_without_consent_is_refused(
    client: TestClient[Litestar], fieldwork: Fieldwork, clean_settings: Settings
) -> None:
    form = small_form(None)
    add_version(clean_settings, fieldwork, form)
    instance_id = str(uuid.uuid4())
    refused = submit(client, write_submission(form, {"satisfaction": "yes"}, f"uuid:{instance_id}"))
    assert refused.status_code == 422
    assert "此问卷没有“consent”问题" in refused.text
    assert count_responses(clean_settings, instance_id) == 0
