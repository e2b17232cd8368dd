"""Rewrite the README's input tables, the typed ``Args`` and the plugin's package schema
from the inputs' one declaration.

    python tools/update_docs.py          # rewrite README.md, typed_api.py and sdk/schema.json
    python tools/update_docs.py --check  # exit 1 if any is out of date

Each table stands between ``<!-- inputs: NAME -->`` and ``<!-- /inputs -->``, NAME being a
key of ``TABLES``; tests/test_docs.py runs the check.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import args_source

from pulumi_commvault.backup_trigger.inputs import BackupTriggerInputs
from pulumi_commvault.declarations import markdown_table
from pulumi_commvault.plugin.schema import schema_text

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
TYPED_API = REPO / "provider" / "pulumi_commvault" / "typed_api.py"
#: What the plugin's GetSchema serves; the SDKs of other languages are generated from it.
SCHEMA = REPO / "sdk" / "schema.json"
TABLES: dict[str, type[Any]] = {"OracleBackupTrigger": BackupTriggerInputs}
FIX = "python tools/update_docs.py"
SECTION = re.compile(r"(<!-- inputs: (\w+) -->\n)(.*?)(<!-- /inputs -->)", re.S)


def updated(text: str) -> str:
    def table(match: re.Match[str]) -> str:
        model = TABLES[match.group(2)]
        return f"{match.group(1)}{markdown_table(model)}\n{match.group(4)}"

    return SECTION.sub(table, text)


def main() -> int:
    made = {
        README: updated(README.read_text()),
        TYPED_API: args_source.source(str(TYPED_API)),
        SCHEMA: schema_text(),
    }
    stale = [path for path, text in made.items() if not path.exists() or path.read_text() != text]
    if "--check" in sys.argv[1:]:
        for path in stale:
            print(f"{path.name} is out of date with the inputs' declaration: run {FIX}")
        return 1 if stale else 0
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(made[path])
    return 0


if __name__ == "__main__":
    sys.exit(main())
