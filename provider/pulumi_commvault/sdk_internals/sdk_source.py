"""The installed Pulumi SDK as this package inspects it: its release, and the source of
``python -m pulumi.dynamic`` (read and compiled, never run: running it starts a server)."""

from __future__ import annotations

import ast
import importlib.metadata
import importlib.util
import re
import sys
from types import CodeType
from typing import Any


def sdk_version() -> tuple[int, ...] | None:
    """The installed Pulumi SDK's release as numbers, e.g. ``(3, 272, 0)``; None if unknown."""
    try:
        text = importlib.metadata.version("pulumi")
    except importlib.metadata.PackageNotFoundError:
        return None
    numbers = re.match(r"(\d+)\.(\d+)\.(\d+)", text)
    return tuple(int(n) for n in numbers.groups()) if numbers else None


def dynamic_main_source() -> str | None:
    # Read, never imported: importing ``pulumi.dynamic.__main__`` runs its ``main()``, which
    # starts a provider server and blocks forever.
    try:
        spec = importlib.util.find_spec("pulumi.dynamic.__main__")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin:
        return None
    try:
        with open(spec.origin, encoding="utf-8") as source:
            return source.read()
    except OSError:
        return None


def running_dynamic_main() -> Any | None:
    """The running ``pulumi.dynamic`` server module, when this is a dynamic provider process."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    if getattr(spec, "name", None) == "pulumi.dynamic.__main__" or hasattr(
        main, "DynamicResourceProviderServicer"
    ):
        return main
    return None


def servicer_method_code(name: str) -> CodeType | None:
    """``DynamicResourceProviderServicer.<name>``'s code, compiled from the SDK's source.

    Compiled, never run: importing ``pulumi.dynamic.__main__`` would start a server.
    """
    source = dynamic_main_source()
    if source is None:
        return None
    for node in ast.parse(source).body:
        if isinstance(node, ast.ClassDef) and node.name == "DynamicResourceProviderServicer":
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name == name:
                    item.decorator_list = []
                    module = ast.Module(body=[item], type_ignores=[])
                    compiled = compile(module, "<pulumi.dynamic servicer>", "exec")
                    for constant in compiled.co_consts:
                        if isinstance(constant, CodeType) and constant.co_name == name:
                            return constant
    return None
