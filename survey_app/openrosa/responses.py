"""OpenRosa's XML message (`OpenRosaResponse`) and the headers OpenRosa responses carry."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping

from litestar import Response

OPENROSA_VERSION = {"x-openrosa-version": "1.0"}
BASIC_CHALLENGE = {"www-authenticate": 'Basic realm="Minyi", charset="UTF-8"'}
RESPONSE_NAMESPACE = "http://openrosa.org/http/response"
XML = "text/xml; charset=utf-8"


def message(
    text: str, status_code: int, nature: str, headers: Mapping[str, str] | None = None
) -> Response[bytes]:
    """An `OpenRosaResponse` with one message of `nature` (`submit_success`, `error`)."""
    root = ET.Element("OpenRosaResponse", xmlns=RESPONSE_NAMESPACE)
    ET.SubElement(root, "message", nature=nature).text = text
    return Response(
        ET.tostring(root, encoding="utf-8", xml_declaration=True),
        status_code=status_code,
        media_type=XML,
        headers={**OPENROSA_VERSION, **(headers or {})},
    )
