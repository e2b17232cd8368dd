"""What both resources share as Pulumi resources: how they register, and their outputs.

The resources themselves (their typed ``__init__`` and ``Args``) are generated into
``typed_api.py`` from the inputs' declaration; each ``__init__`` calls
``sdk_internals.register(self, *self._registration(...))`` itself, because the SDK takes the
source position from the caller of the resource's ``__init__``.
"""

from __future__ import annotations

import functools
from contextvars import ContextVar
from typing import Any, ClassVar

import pulumi
from pulumi.dynamic import Resource, ResourceProvider
from pulumi.runtime import config as pulumi_config

from . import sdk_internals
from .declarations import ArgsError, ResourceArgs, unknown_input_line, unset_input_output
from .runtime.settings import CREDENTIALS, stray_key_line

Registration = tuple[ResourceProvider, Any, str, dict[str, Any], pulumi.ResourceOptions | None]


class JobResource(Resource):
    """A resource that runs one Commvault job (or a set) and records it: the registration
    and the outputs of an input left unset."""

    args_type: ClassVar[type[ResourceArgs]]
    provider_type: ClassVar[type[ResourceProvider]]
    input_names: ClassVar[tuple[str, ...]]
    result_keys: ClassVar[tuple[str, ...]]

    jobs: pulumi.Output[list[dict[str, Any]]]

    def _registration(
        self,
        resource_name: str,
        args: ResourceArgs | None,
        opts: pulumi.ResourceOptions | None,
        inputs: dict[str, Any],
    ) -> Registration:
        """What ``sdk_internals.register`` takes: the provider, its pickle (made once per
        program), the name, the props and the options."""
        look_at_stack_config()
        what = f"{type(self).__name__} {resource_name!r}"
        if args is not None and inputs:
            raise ArgsError(f"{what}: pass either args or keyword arguments, not both")
        for name in inputs:
            if name not in self.args_type.INPUT_NAMES:
                raise ArgsError(unknown_input_line(what, name, self.args_type.INPUT_NAMES))
        props = (args or self.args_type(**inputs)).to_props()
        # An input given as another resource (``from_backup=snap``) means the jobs it
        # recorded, once it has recorded them.
        sources = [v for v in props.values() if isinstance(v, JobResource)]
        if sources:
            props = {k: v.jobs if isinstance(v, JobResource) else v for k, v in props.items()}
            opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=sources))
        serialized = functools.partial(_serialized_provider, self.provider_type)
        return (
            self.provider_type(),
            serialized,
            resource_name,
            registered_props(props, resource_name, self.result_keys),
            opts,
        )

    def __getattr__(self, name: str) -> pulumi.Output[Any]:
        output: pulumi.Output[Any] = unset_input_output(self, name, self.input_names)
        return output


#: Whether this program run has looked at its stack config (a context variable: an
#: Automation API process runs several programs, each in its own context).
_CONFIG_LOOKED_AT: ContextVar[bool] = ContextVar("commvault_config_looked_at", default=False)


def look_at_stack_config() -> None:
    """Once per program: warn of a password or token kept in plain stack config (not
    ``--secret``: readable in ``Pulumi.<stack>.yaml``), and of a ``commvault:*`` key that is
    no setting (a typo nothing reads)."""
    if _CONFIG_LOOKED_AT.get():
        return
    _CONFIG_LOOKED_AT.set(True)
    for setting in CREDENTIALS:
        if pulumi_config.get_config(setting.config_key) is None:
            continue
        if not pulumi_config.is_config_secret(setting.config_key):
            pulumi.log.warn(setting.plain_secret_line())
    for key in sdk_internals.config_keys():
        line = stray_key_line(key)
        if line is not None:
            pulumi.log.warn(line)


def registered_props(
    props: dict[str, Any], resource_name: str, result_keys: tuple[str, ...]
) -> dict[str, Any]:
    """What a resource registers: the inputs that are set, the request's name, and its
    results (as None, so the SDK makes them outputs)."""
    return {
        **props,
        "request_name": f"{pulumi.get_project()}/{pulumi.get_stack()}/{resource_name}",
        **dict.fromkeys(result_keys),
    }


_SERIALIZED: dict[str, tuple[str, bool]] = {}


def _serialized_provider(provider_type: type[ResourceProvider]) -> tuple[str, bool]:
    """The provider as every resource carries it: pickled by reference, the same each time,
    never a secret (it holds nothing); made once per program instead of once per resource."""
    key = f"{provider_type.__module__}.{provider_type.__qualname__}"
    if key not in _SERIALIZED:
        _SERIALIZED[key] = sdk_internals.serialize(provider_type())
    return _SERIALIZED[key]
