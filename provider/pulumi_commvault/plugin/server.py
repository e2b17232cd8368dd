"""The provider plugin ``pulumi-resource-commvault``: the engine's provider protocol served
over the same ``ResourceCore`` check/diff/create/read/update/delete as the dynamic resources.

The engine starts the plugin with its own address as the last argument; the plugin prints
the port it serves on and serves until the engine stops it. It speaks the protocol stubs of
the installed SDK (``pulumi.runtime.proto``) on a ``grpc.server`` with a thread pool, so the
engine's parallel steps run in parallel with the blocking HTTP client; no SDK internals
(docs/plugin-notes.md says why). A failure is answered with its one sentence.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, NoReturn

import grpc
from google.protobuf import empty_pb2
from pulumi.runtime.proto import plugin_pb2, provider_pb2, provider_pb2_grpc

from .._version import __version__
from ..backup_trigger.outputs import RESULT_KEYS as BACKUP_RESULTS
from ..oracle_restore.outputs import RESULT_KEYS as RESTORE_RESULTS
from ..provider import front_end
from ..provider.backup import BackupTriggerCore
from ..provider.base import PROVIDER_WORKERS, ResourceCore, configure, show_warnings_plainly
from ..provider.restore import RestoreCore
from ..runtime.reporting import OperationFailed
from ..runtime.settings import CREDENTIALS, Setting, stray_key_line
from .engine_link import EngineLink
from .marshal import (
    NOT_KNOWN,
    Plain,
    camel,
    config_value,
    from_struct,
    snake,
    to_struct,
    with_secrets,
)
from .schema import BACKUP_TRIGGER, PACKAGE, RESTORE, schema_text

#: Each resource token's core and the results its outputs add to the inputs.
CORES: dict[str, tuple[ResourceCore, tuple[str, ...]]] = {
    BACKUP_TRIGGER: (BackupTriggerCore(), BACKUP_RESULTS),
    RESTORE: (RestoreCore(), RESTORE_RESULTS),
}


#: What the engine adds to a provider's config besides the ``commvault:*`` keys.
ENGINE_CONFIG = frozenset({"version", "pluginDownloadURL"})


def request_name(urn: str) -> str:
    """``<project>/<stack>/<name>`` of ``urn:pulumi:<stack>::<project>::<type>::<name>``,
    as the Python resources set it: part of each request's identity."""
    parts = urn.split("::")
    stack = parts[0].rsplit(":", 1)[-1]
    return f"{parts[1]}/{stack}/{parts[-1]}" if len(parts) >= 4 else urn


def _abort(context: grpc.ServicerContext, message: str) -> NoReturn:
    context.abort(grpc.StatusCode.UNKNOWN, message)
    raise AssertionError("unreachable")  # abort raises


class CommvaultProvider(provider_pb2_grpc.ResourceProviderServicer):
    """The engine's ResourceProvider service over the resources' cores."""

    def __init__(self, link: EngineLink) -> None:
        self.link = link

    @contextmanager
    def _operation(self, context: grpc.ServicerContext, urn: str) -> Iterator[None]:
        """Serve ``urn``; an ``OperationFailed`` is answered with its one sentence."""
        with self.link.serving(urn):
            try:
                yield
            except OperationFailed as exc:
                _abort(context, str(exc))

    def _core(
        self, type_: str, context: grpc.ServicerContext
    ) -> tuple[ResourceCore, tuple[str, ...]]:
        if type_ not in CORES:
            _abort(context, f"type: {type_!r} is not a resource of {PACKAGE}: {', '.join(CORES)}")
        return CORES[type_]

    def GetPluginInfo(self, request: Any, context: Any) -> plugin_pb2.PluginInfo:
        return plugin_pb2.PluginInfo(version=__version__)

    def GetSchema(self, request: Any, context: Any) -> provider_pb2.GetSchemaResponse:
        return provider_pb2.GetSchemaResponse(schema=schema_text())

    def Configure(self, request: Any, context: Any) -> provider_pb2.ConfigureResponse:
        """The ``commvault:*`` config (args, else the older ``variables``), with the same
        ``COMMVAULT_*`` environment fallbacks as the dynamic resources."""
        args = from_struct(request.args).props
        variables = dict(request.variables)

        def lookup(key: str) -> str | None:
            name = key.split(":", 1)[-1]
            value = config_value(args.get(snake(name)))
            if value is None:
                value = variables.get(f"{PACKAGE}:config:{name}") or variables.get(key)
            return value

        show_warnings_plainly()
        configure(lookup)
        return provider_pb2.ConfigureResponse(acceptSecrets=True, supportsPreview=True)

    def CheckConfig(self, request: Any, context: Any) -> provider_pb2.CheckResponse:
        """The config as given, its credentials marked secret: the engine keeps a provider's
        config in the state, where a password set without ``--secret`` would be plain text.
        (The engine strips secrets from what it sends here and sends Configure what this
        returns, so the plugin cannot tell a plain one to warn of it, as the Python
        resources do.) A key that is no setting is warned of, as there."""
        for name in request.news.fields:
            line = None if name in ENGINE_CONFIG else stray_key_line(f"{PACKAGE}:{name}")
            if line is not None:
                self.link.warn(line)
        names = [config_name(setting) for setting in CREDENTIALS]
        return provider_pb2.CheckResponse(inputs=with_secrets(request.news, names))

    def Check(self, request: Any, context: Any) -> provider_pb2.CheckResponse:
        core, _ = self._core(type_of(request.urn), context)
        news = from_struct(request.news)
        news.props["request_name"] = request_name(request.urn)
        with self._operation(context, request.urn):
            checked = core.check(news.props)
        failures = [
            provider_pb2.CheckFailure(property=camel(field), reason=reason)
            for field, reason in checked.failures
        ]
        return provider_pb2.CheckResponse(
            inputs=to_struct(checked.inputs, news.secret), failures=failures
        )

    def Diff(self, request: Any, context: Any) -> provider_pb2.DiffResponse:
        core, _ = self._core(type_of(request.urn), context)
        olds, news = from_struct(request.olds), from_struct(request.news)
        with self._operation(context, request.urn):
            changed = core.diff(olds.props, news.props)
        answer = provider_pb2.DiffResponse
        kind = answer.DIFF_SOME if changed else answer.DIFF_NONE
        return answer(changes=kind, replaces=[], deleteBeforeReplace=False)

    def Create(self, request: Any, context: Any) -> provider_pb2.CreateResponse:
        core, results = self._core(type_of(request.urn), context)
        news = from_struct(request.properties)
        if request.preview:
            return provider_pb2.CreateResponse(properties=_planned(news, results))
        with self._operation(context, request.urn):
            id_, outs = core.create(news.props)
        return provider_pb2.CreateResponse(id=id_, properties=to_struct(outs, news.secret))

    def Update(self, request: Any, context: Any) -> provider_pb2.UpdateResponse:
        core, results = self._core(type_of(request.urn), context)
        olds, news = from_struct(request.olds), from_struct(request.news)
        if request.preview and core.runs_a_new_job(olds.props, news.props):
            return provider_pb2.UpdateResponse(properties=_planned(news, results))
        with self._operation(context, request.urn):
            outs = core.update(olds.props, news.props)  # no API call unless a new job runs
        return provider_pb2.UpdateResponse(properties=to_struct(outs, news.secret | olds.secret))

    def Read(self, request: Any, context: Any) -> provider_pb2.ReadResponse:
        core, _ = self._core(type_of(request.urn), context)
        props = from_struct(request.properties)
        with self._operation(context, request.urn):
            outs = core.read(request.id, props.props)
        return provider_pb2.ReadResponse(
            id=request.id, properties=to_struct(outs, props.secret), inputs=request.inputs
        )

    def Delete(self, request: Any, context: Any) -> empty_pb2.Empty:
        core, _ = self._core(type_of(request.urn), context)
        with self._operation(context, request.urn):
            core.delete(from_struct(request.properties).props)
        return empty_pb2.Empty()

    def Cancel(self, request: Any, context: Any) -> empty_pb2.Empty:
        """The user pressed Ctrl-C: every wait ends within its next check (jobs run on)."""
        self.link.cancel()
        return empty_pb2.Empty()


def config_name(setting: Setting) -> str:
    """``authToken`` of ``commvault:authToken``: the key in the provider's config."""
    return setting.config_key.split(":", 1)[1]


def type_of(urn: str) -> str:
    """The resource's type token from its URN (a child's is ``<parent type>$<type>``); the
    requests' own ``type`` field is not in every supported SDK's protocol."""
    parts = urn.split("::")
    return parts[2].rsplit("$", 1)[-1] if len(parts) >= 4 else ""


def _planned(news: Plain, results: tuple[str, ...]) -> Any:
    """A preview's outputs: the inputs, and every result not known until the job runs."""
    planned = {**news.props, **dict.fromkeys(results, NOT_KNOWN)}
    return to_struct(planned, news.secret)


def engine_address(argv: list[str]) -> str | None:
    """The engine's address: the last argument that is not a flag."""
    positional = [a for a in argv if not a.startswith("-")]
    return positional[-1] if positional else None


def serve(argv: list[str], announce: Callable[[int], None]) -> grpc.Server:
    """Start serving; ``announce`` is told the port."""
    link = EngineLink(engine_address(argv))
    front_end.use(link)
    server = grpc.server(ThreadPoolExecutor(max_workers=PROVIDER_WORKERS))
    provider_pb2_grpc.add_ResourceProviderServicer_to_server(CommvaultProvider(link), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    announce(port)
    return server


def main() -> None:
    """``pulumi-resource-commvault``: print the port, serve until stopped."""
    server = serve(sys.argv[1:], lambda port: print(port, flush=True))
    try:
        server.wait_for_termination()
    except KeyboardInterrupt:
        server.stop(grace=None)
