"""One API request as the handlers see it: method, path, query, body, the presented token."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass
class ApiRequest:
    method: str
    target: str
    """The path as received, with its query."""
    rel_path: str
    query: dict[str, str]
    body: bytes
    token: str | None
    """The presented token (Authtoken, else Authorization Bearer), never logged."""
    user: str = ""
    accept_xml: bool = False
    """The client asked for XML (``Accept: application/xml``)."""

    def json(self) -> Any:
        """The parsed body; raises ``ValueError`` when it is empty or not JSON."""
        if not self.body.strip():
            raise ValueError("empty body")
        return json.loads(self.body)
