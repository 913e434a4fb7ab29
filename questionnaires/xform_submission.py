"""ODK submissions: the instance XML ODK Collect posts (``xml_submission_file``) and answers.

:func:`read_submission` turns the instance of a form made by :func:`to_xform` into the answer
mapping :func:`validate_answers` takes: groups are nested elements and flatten away, a repeat is
one element per instance and becomes a list of mappings, a select_multiple is split into codes.
Elements the questionnaire does not know are ignored; empty elements are unanswered.
:func:`write_submission` does the reverse, as Collect would, for tests and simulated fieldwork.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

import msgspec
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from questionnaires.errors import SubmissionError
from questionnaires.model import Item, Question, Questionnaire, Repeat


class Submission(msgspec.Struct, frozen=True):
    """A parsed submission: the form it claims, its ``meta/instanceID`` and its answers."""

    form_id: str
    version: str
    instance_id: str
    answers: dict[str, Any]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: ET.Element, name: str) -> list[ET.Element]:
    return [child for child in element if _local(child.tag) == name]


def _read(items: tuple[Item, ...], element: ET.Element, answers: dict[str, Any]) -> None:
    for item in items:
        found = _children(element, item.name)
        if not found:
            continue
        if isinstance(item, Question):
            text = (found[0].text or "").strip()
            if text:
                answers[item.name] = text.split() if item.type == "select_multiple" else text
        elif isinstance(item, Repeat):
            instances = []
            for node in found:
                instance: dict[str, Any] = {}
                _read(item.children, node, instance)
                instances.append(instance)
            answers[item.name] = instances
        else:
            _read(item.children, found[0], answers)


def read_submission(questionnaire: Questionnaire, data: bytes) -> Submission:
    """Parse the instance XML of a submission to ``questionnaire``.

    Raises :class:`SubmissionError` when the XML is malformed or has a DOCTYPE, when the root's
    ``id`` or ``version`` is not this questionnaire's, or when ``meta/instanceID`` is missing.
    """
    try:
        # the parser refuses a DOCTYPE itself, in any encoding: no entity is ever declared
        root: ET.Element = fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise SubmissionError("a submission may not contain a DOCTYPE") from None
    except ET.ParseError as error:
        raise SubmissionError(f"the submission is not well-formed XML: {error}") from error
    form_id, version = root.get("id", ""), root.get("version", "")
    if (form_id, version) != (questionnaire.id, questionnaire.version):
        raise SubmissionError(
            f"the submission is for form {form_id!r} version {version!r}, not "
            f"{questionnaire.id!r} version {questionnaire.version!r}"
        )
    meta = _children(root, "meta")
    instance_ids = _children(meta[0], "instanceID") if meta else []
    instance_id = (instance_ids[0].text or "").strip() if instance_ids else ""
    if not instance_id:
        raise SubmissionError("the submission has no meta/instanceID")
    answers: dict[str, Any] = {}
    _read(questionnaire.items, root, answers)
    return Submission(form_id, version, instance_id, answers)


def _text(answer: object) -> str:
    if isinstance(answer, list | tuple):
        return " ".join(str(code) for code in answer)
    return "" if answer is None else str(answer)


def _write(items: tuple[Item, ...], parent: ET.Element, answers: Mapping[str, Any]) -> None:
    for item in items:
        if isinstance(item, Question):
            ET.SubElement(parent, item.name).text = _text(answers.get(item.name)) or None
        elif isinstance(item, Repeat):
            for instance in answers.get(item.name) or []:
                _write(item.children, ET.SubElement(parent, item.name), instance)
        else:
            _write(item.children, ET.SubElement(parent, item.name), answers)


def write_submission(
    questionnaire: Questionnaire, answers: Mapping[str, Any], instance_id: str
) -> bytes:
    """The instance XML ODK Collect would post for ``answers`` (UTF-8 with a declaration)."""
    root = ET.Element("data", id=questionnaire.id, version=questionnaire.version)
    _write(questionnaire.items, root, answers)
    meta = ET.SubElement(root, "meta")
    ET.SubElement(meta, "instanceID").text = instance_id
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return body
