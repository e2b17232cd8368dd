"""What both resources' inputs share: the inputs themselves, declared once, and the rules
over a declaration (check, parse, what a change runs, the request marker).

A resource's model declares ``description: Description = None`` and so on, adding only the
sentence that differs (what a change of ``triggers`` runs, what ``timeout_minutes`` waits
for); ``Declared`` then gives the functions each resource's ``inputs`` module exports.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Annotated, Any, Generic, Protocol, TypeVar

import annotated_types
from pydantic import AllowInfNan, BaseModel, Field, Strict, StrictBool

from .declarations import INTERNAL, NEW_JOB, names_with
from .validation import InputError, canonical, check_props, is_unknown

MAX_TIMEOUT_MINUTES = 7 * 24 * 60
MAX_DESCRIPTION_CHARS = 200

#: Text for the job description in Commvault (the request marker is appended).
Description = Annotated[
    str | None,
    Field(
        max_length=MAX_DESCRIPTION_CHARS,
        description="Text for the job description in Commvault; the request marker is appended.",
    ),
]
#: Any values; a change of one runs the resource's job again (its doc says which job).
Triggers = Annotated[list[Any] | None, NEW_JOB]
#: Whether the operation waits for the job(s) to finish.
WaitForCompletion = StrictBool
#: How long to wait, in minutes: a number (not a string of one), more than 0, at most 7 days.
# Constraints as markers, not a Field: pydantic before 2.1 refuses a second Field where a
# resource adds its own description.
TimeoutMinutes = Annotated[
    float,
    Strict(),
    annotated_types.Gt(0),
    annotated_types.Le(MAX_TIMEOUT_MINUTES),
    AllowInfNan(False),
]
#: ``<project>/<stack>/<resource name>``: part of the request's identity.
RequestName = Annotated[
    str, INTERNAL, Field(description="`<project>/<stack>/<resource name>`, set by the resource.")
]

Failures = list[tuple[str, str]]


class Identified(Protocol):
    """A resource's validated inputs: equal identities mean the same request."""

    def identity(self) -> dict[str, Any]: ...


M = TypeVar("M", bound=BaseModel)


class Declared(Generic[M]):
    """The rules a resource's inputs follow, from its declaration ``model``.

    ``whole_model_field`` names a model-level failure that names no field; ``more_failures``
    adds checks of valid inputs that need no API call; ``reworded`` says a failure in the
    resource's own words.
    """

    def __init__(
        self,
        model: type[M],
        *,
        whole_model_field: str,
        more_failures: Callable[[M], Failures] | None = None,
        reworded: Callable[[str, str], str] | None = None,
    ) -> None:
        self.model = model
        self.whole_model_field = whole_model_field
        self.more_failures = more_failures
        self.reworded = reworded
        #: Every input, each also an output of the resource.
        self.names = tuple(model.model_fields)
        #: Inputs whose change runs a new job.
        self.job_inputs = names_with(model, NEW_JOB)
        #: Inputs that change only how the provider waits or what it records.
        self.behaviour_inputs = tuple(n for n in self.names if n not in self.job_inputs)

    def check(self, props: dict[str, Any]) -> tuple[M | None, Failures]:
        """The validated inputs (None while some are not known yet) and ``(field, reason)``
        for each bad one; inputs not known yet are not judged."""
        inputs, failures = check_props(self.model, props, whole_model_field=self.whole_model_field)
        if inputs is not None and not failures and self.more_failures is not None:
            failures += self.more_failures(inputs)
        if self.reworded is not None:
            failures = [(field, self.reworded(field, why)) for field, why in failures]
        return inputs, failures

    def parse(self, props: dict[str, Any]) -> M:
        """Validated inputs from the engine's props (outputs too: other keys are dropped).
        Raises ``InputError`` naming every bad field."""
        inputs, failures = self.check({k: v for k, v in props.items() if k in self.names})
        if failures or inputs is None:
            raise InputError(failures or [("inputs", "not known yet")])
        return inputs

    def runs_a_new_job(self, olds: dict[str, Any], news: dict[str, Any]) -> bool:
        """Whether going from ``olds`` to ``news`` runs a new job; an unknown value does."""
        if any(is_unknown(news.get(k)) for k in self.job_inputs):
            return True
        return self._identity(olds) != self._identity(news)

    def behaviour_changed(self, olds: dict[str, Any], news: dict[str, Any]) -> bool:
        return any(
            is_unknown(news.get(k)) or canonical(olds.get(k)) != canonical(news.get(k))
            for k in self.behaviour_inputs
        )

    def _identity(self, props: dict[str, Any]) -> dict[str, Any]:
        try:
            inputs: Any = self.parse(props)
            identity: dict[str, Any] = inputs.identity()
            return identity
        except InputError:
            return {k: canonical(props.get(k)) for k in self.job_inputs}


def normalized(inputs: BaseModel) -> dict[str, Any]:
    """The inputs as the engine should store them: the user's, validated and normalised
    (e.g. ``backup_level`` lower-cased), defaults left out as the user left them out."""
    return inputs.model_dump(exclude_unset=True)


def marker_of(identity: dict[str, Any]) -> str:
    """A request marker: the same for the same request each time it is retried."""
    digest = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()
    return digest[:20]
