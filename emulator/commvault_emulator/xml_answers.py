"""Commvault's XML answers, for a client that sends ``Accept: application/xml``.

Login answers ``<DM2ContentIndexing_CheckCredentialResp>`` with the JSON answer's fields as
attributes (``token``, ``userName``, ``userGUID``, ...), as Commvault's "POST Login" page
and the clients written against it read it (``/DM2ContentIndexing_CheckCredentialResp/@token``).
A failed login keeps its ``errList`` as child elements. Every failure answer with an
``errorCode`` and ``errorMessage`` becomes ``<CVGui_GenericResp errorCode=".."
errorMessage=".."/>``, the generic response cvpysdk reads from XML answers (UNCERTAIN: a
REST gateway may use ``TMMsg_GenericResp`` for some of them). Other answers stay JSON: their
XML root names are not documented. Also reads the XML Login request,
``<DM2ContentIndexing_CheckCredentialReq username=".." password=".."/>``.
"""

from __future__ import annotations

import dataclasses
from typing import Any
from xml.etree import ElementTree  # nosec B405 - see login_request

from commvault_emulator.responses import XML_TYPE, Response

LOGIN_RESPONSE = "DM2ContentIndexing_CheckCredentialResp"
LOGIN_REQUEST = "DM2ContentIndexing_CheckCredentialReq"
GENERIC_RESPONSE = "CVGui_GenericResp"


def wants_xml(accept: str | None) -> bool:
    """The first JSON or XML media type of ``Accept`` is XML (JSON stays the default)."""
    for part in (accept or "").split(","):
        media = part.split(";", 1)[0].strip().casefold()
        if media.endswith(("/json", "+json")):
            return False
        if media.endswith(("/xml", "+xml")):
            return True
    return False


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def element(tag: str, fields: dict[str, Any]) -> ElementTree.Element:
    """Scalars as attributes, objects as child elements, lists as repeated children."""
    node = ElementTree.Element(tag)
    for key, value in fields.items():
        if isinstance(value, dict):
            node.append(element(key, value))
        elif isinstance(value, list):
            for item in value:
                node.append(element(key, item if isinstance(item, dict) else {"value": item}))
        elif value is not None:
            node.set(key, _text(value))
    return node


def xml_response(tag: str, fields: dict[str, Any], status: int = 200) -> Response:
    body = ElementTree.tostring(element(tag, fields), encoding="utf-8", xml_declaration=True)
    return Response(status, body, XML_TYPE)


def as_xml(response: Response) -> Response:
    """A failure answer in Commvault's XML error shape; any other answer unchanged."""
    if response.error is None:
        return response
    code, message = response.error
    converted = xml_response(
        GENERIC_RESPONSE, {"errorCode": code, "errorMessage": message}, response.status
    )
    return dataclasses.replace(
        converted, headers=response.headers, job_ids=response.job_ids, error=response.error
    )


def login_request(body: bytes) -> dict[str, Any] | None:
    """The attributes of an XML Login request, or None if the body is not one."""
    try:
        # The expat the standard library bundles (2.4.1 and later) refuses entity expansion
        # bombs, and the emulator serves tests on loopback.
        root = ElementTree.fromstring(body)  # noqa: S314 # nosec B314
    except ElementTree.ParseError:
        return None
    if root.tag != LOGIN_REQUEST:
        return None
    fields: dict[str, Any] = dict(root.attrib)
    if "timeout" in fields:
        try:
            fields["timeout"] = float(fields["timeout"])
        except ValueError:
            del fields["timeout"]
    return fields
