"""Export a questionnaire as an ODK XForm (XML), the form ODK Collect downloads via OpenRosa.

Structure, as pyxform produces it: ``h:head`` with the title and a ``model`` holding ``itext``
translations (one ``translation`` per language, the default marked), the main ``instance``
(``<data id=… version=…>`` with one element per question, repeats as ``jr:template`` and
``meta/instanceID``), one secondary instance per choice list, and a ``bind`` per node with
``type``, ``relevant``, ``constraint``, ``required``, ``calculate`` and preloads, ``${q}``
rewritten to absolute paths such as ``/data/group/q``; then ``h:body`` with ``group``, ``repeat``,
``input``, ``select1``, ``select`` controls whose labels point into itext.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from questionnaires.expressions import to_xpath
from questionnaires.model import (
    SELECT_TYPES,
    Group,
    Item,
    Question,
    Questionnaire,
    Repeat,
)
from questionnaires.outline import front_matter
from questionnaires.text import Text

XFORMS = "http://www.w3.org/2002/xforms"
XHTML = "http://www.w3.org/1999/xhtml"
JAVAROSA = "http://openrosa.org/javarosa"
ODK = "http://www.opendatakit.org/xforms"
_PREFIXES = {"": XFORMS, "h": XHTML, "jr": JAVAROSA, "odk": ODK}

_BIND_TYPES = {
    "integer": "int",
    "decimal": "decimal",
    "date": "date",
    "start": "dateTime",
    "end": "dateTime",
    "today": "date",
}
_PRELOADS = {
    "start": ("timestamp", "start"),
    "end": ("timestamp", "end"),
    "today": ("date", "today"),
    "deviceid": ("property", "deviceid"),
}
_CONTROLS = {"select_one": "select1", "select_multiple": "select"}
NOTICE_PATH = "/data/meta/notice"
"""The form's legal markings and privacy notice, shown as the first screen (a read-only note
on an empty node under ``meta``, so that it can never clash with a question's name)."""


def _x(tag: str) -> str:
    return f"{{{XFORMS}}}{tag}"


def _jr(name: str) -> str:
    return f"{{{JAVAROSA}}}{name}"


class _Writer:
    def __init__(self, form: Questionnaire) -> None:
        self.form = form
        self.paths = {
            item.name: "/data/" + "/".join((*(p.name for p in parents), item.name))
            for item, parents in form.walk()
        }
        self.texts: dict[str, Text] = {}
        self.binds: list[ET.Element] = []

    def xpath(self, expression: str) -> str:
        return to_xpath(expression, self.paths.__getitem__)

    def itext(self, text_id: str, text: Text) -> str:
        self.texts[text_id] = text
        return f"jr:itext('{text_id}')"

    def label(self, parent: ET.Element, item: Item) -> None:
        path = self.paths[item.name]
        if any(item.label.values()):
            ET.SubElement(parent, _x("label"), ref=self.itext(f"{path}:label", item.label))
        if isinstance(item, Question) and any(item.hint.values()):
            ET.SubElement(parent, _x("hint"), ref=self.itext(f"{path}:hint", item.hint))

    def instance(self, parent: ET.Element, items: tuple[Item, ...]) -> None:
        for item in items:
            node = ET.SubElement(parent, _x(item.name))
            if isinstance(item, Question):
                node.text = item.default or None
            else:
                if isinstance(item, Repeat):
                    node.set(_jr("template"), "")
                self.instance(node, item.children)

    def bind(self, item: Item) -> None:
        attributes = {"nodeset": self.paths[item.name]}
        if item.relevant:
            attributes["relevant"] = self.xpath(item.relevant)
        if isinstance(item, Question):
            self.question_bind(item, attributes)
        if len(attributes) > 1:
            self.binds.append(ET.Element(_x("bind"), attributes))

    def question_bind(self, question: Question, attributes: dict[str, str]) -> None:
        path = self.paths[question.name]
        attributes["type"] = _BIND_TYPES.get(question.type, "string")
        if question.type == "note":
            attributes["readonly"] = "true()"
        if question.calculation:
            attributes["calculate"] = self.xpath(question.calculation)
        if question.constraint:
            attributes["constraint"] = self.xpath(question.constraint)
            if any(question.constraint_message.values()):
                attributes[_jr("constraintMsg")] = self.itext(
                    f"{path}:jr:constraintMsg", question.constraint_message
                )
        if question.required:
            attributes["required"] = self.xpath(question.required)
            if any(question.required_message.values()):
                attributes[_jr("requiredMsg")] = self.itext(
                    f"{path}:jr:requiredMsg", question.required_message
                )
        if question.type in _PRELOADS:
            preload, parameters = _PRELOADS[question.type]
            attributes[_jr("preload")] = preload
            attributes[_jr("preloadParams")] = parameters

    def body(self, parent: ET.Element, items: tuple[Item, ...]) -> None:
        for item in items:
            self.bind(item)
            path = self.paths[item.name]
            if isinstance(item, Question):
                self.control(parent, item)
                continue
            group = ET.SubElement(parent, _x("group"), ref=path)
            if item.appearance:
                group.set("appearance", item.appearance)
            self.label(group, item)
            if isinstance(item, Group):
                self.body(group, item.children)
            else:
                repeat = ET.SubElement(group, _x("repeat"), nodeset=path)
                if item.repeat_count:
                    repeat.set(_jr("count"), self.xpath(item.repeat_count))
                self.body(repeat, item.children)

    def control(self, parent: ET.Element, question: Question) -> None:
        if question.type not in (*SELECT_TYPES, "integer", "decimal", "text", "date", "note"):
            return
        control = ET.SubElement(
            parent, _x(_CONTROLS.get(question.type, "input")), ref=self.paths[question.name]
        )
        if question.appearance:
            control.set("appearance", question.appearance)
        self.label(control, question)
        if question.type in SELECT_TYPES:
            nodeset = f"instance('{question.list_name}')/root/item"
            if question.choice_filter:
                nodeset += f"[{self.xpath(question.choice_filter)}]"
            itemset = ET.SubElement(control, _x("itemset"), nodeset=nodeset)
            ET.SubElement(itemset, _x("value"), ref="name")
            ET.SubElement(itemset, _x("label"), ref="jr:itext(itextId)")

    def notice(self, body: ET.Element) -> bool:
        """A first note with the legal markings and privacy notice in every language, so that
        ODK Collect shows the respondent what the web page and the tablet app show; False
        when the form has neither."""
        text = {
            code: "\n".join(front_matter(self.form, code)) for code in self.form.language_codes()
        }
        if not any(text.values()):
            return False
        self.binds.append(
            ET.Element(_x("bind"), {"nodeset": NOTICE_PATH, "type": "string", "readonly": "true()"})
        )
        note = ET.SubElement(body, _x("input"), ref=NOTICE_PATH)
        ET.SubElement(note, _x("label"), ref=self.itext(f"{NOTICE_PATH}:label", text))
        return True

    def choice_instances(self, model: ET.Element) -> None:
        used = {q.list_name for q in self.form.questions() if q.type in SELECT_TYPES}
        for choice_list in self.form.choice_lists:
            if choice_list.name not in used:
                continue
            instance = ET.SubElement(model, _x("instance"), id=choice_list.name)
            root = ET.SubElement(instance, _x("root"))
            for index, choice in enumerate(choice_list.choices):
                item = ET.SubElement(root, _x("item"))
                text_id = f"{choice_list.name}-{index}"
                self.texts[text_id] = choice.label
                ET.SubElement(item, _x("itextId")).text = text_id
                ET.SubElement(item, _x("name")).text = choice.name
                for column, value in choice.filters.items():
                    ET.SubElement(item, _x(column)).text = value

    def translations(self) -> ET.Element:
        itext = ET.Element(_x("itext"))
        for language in self.form.languages:
            translation = ET.SubElement(itext, _x("translation"), lang=language.column_suffix)
            if language.code == self.form.default_language:
                translation.set("default", "true()")
            for text_id, text in self.texts.items():
                node = ET.SubElement(translation, _x("text"), id=text_id)
                value = self.form.localize(text, language.code)
                ET.SubElement(node, _x("value")).text = value
        return itext

    def document(self) -> ET.Element:
        form = self.form
        html = ET.Element(f"{{{XHTML}}}html")
        head = ET.SubElement(html, f"{{{XHTML}}}head")
        ET.SubElement(head, f"{{{XHTML}}}title").text = form.localize(
            form.title, form.default_language
        )
        model = ET.SubElement(head, _x("model"), {f"{{{ODK}}}xforms-version": "1.0.0"})
        body = ET.SubElement(html, f"{{{XHTML}}}body")
        notice = self.notice(body)
        self.body(body, form.items)
        main = ET.SubElement(model, _x("instance"))
        data = ET.SubElement(main, _x("data"), id=form.id, version=form.version)
        self.instance(data, form.items)
        meta = ET.SubElement(data, _x("meta"))
        ET.SubElement(meta, _x("instanceID"))
        if notice:
            ET.SubElement(meta, _x("notice"))
        self.choice_instances(model)
        model.insert(0, self.translations())
        model.extend(self.binds)
        ET.SubElement(
            model,
            _x("bind"),
            {
                "nodeset": "/data/meta/instanceID",
                "type": "string",
                "readonly": "true()",
                _jr("preload"): "uid",
            },
        )
        return html


def to_xform(questionnaire: Questionnaire) -> str:
    """The questionnaire as an ODK XForm document (UTF-8 text with an XML declaration)."""
    for prefix, uri in _PREFIXES.items():
        ET.register_namespace(prefix, uri)
    document = _Writer(questionnaire).document()
    ET.indent(document)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(document, encoding="unicode")
