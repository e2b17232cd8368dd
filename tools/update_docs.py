"""Rewrite the README's input tables from the inputs' one declaration.

    python tools/update_docs.py          # rewrite README.md
    python tools/update_docs.py --check  # exit 1 if README.md is out of date

Each table stands between ``<!-- inputs: NAME -->`` and ``<!-- /inputs -->``, NAME being a
key of ``TABLES``; tests/test_docs.py runs the check.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from pulumi_commvault.backup_trigger.inputs import BackupTriggerInputs
from pulumi_commvault.declarations import markdown_table

README = Path(__file__).resolve().parent.parent / "README.md"
TABLES: dict[str, type[Any]] = {"OracleBackupTrigger": BackupTriggerInputs}
SECTION = re.compile(r"(<!-- inputs: (\w+) -->\n)(.*?)(<!-- /inputs -->)", re.S)


def updated(text: str) -> str:
    def table(match: re.Match[str]) -> str:
        model = TABLES[match.group(2)]
        return f"{match.group(1)}{markdown_table(model)}\n{match.group(4)}"

    return SECTION.sub(table, text)


def main() -> int:
    text = README.read_text()
    new = updated(text)
    if "--check" in sys.argv[1:]:
        if new != text:
            print("README.md's input tables are out of date: run python tools/update_docs.py")
            return 1
        return 0
    README.write_text(new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
