"""Fixtures for tests that drive the real Pulumi CLI against the emulator."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pulumi import automation as auto

from commvault_emulator.process import EmulatorProcess
from engine_support import Deployment, deploy
from harness.engine import PULUMI, cli_env, commvault_config

Deployer = Callable[..., Deployment]


@pytest.fixture
def engine_config(
    emulator: EmulatorProcess, demo_user: tuple[str, str]
) -> dict[str, auto.ConfigValue]:
    """Stack config that points the provider at the emulator, password stored as a secret."""
    return commvault_config(emulator.url, *demo_user)


@pytest.fixture
def deployer(tmp_path: Path, engine_config: dict[str, auto.ConfigValue]) -> Deployer:
    """``deployer(program, config=None, **kw)``: a stack of ``program`` in this test's tmp dir."""
    if not PULUMI.exists():
        pytest.fail("the pulumi CLI is missing: run `bash tools/setup.sh` first")

    def make(
        program: Callable[[], None],
        config: dict[str, auto.ConfigValue] | None = None,
        **kwargs: object,
    ) -> Deployment:
        return deploy(tmp_path, program, config if config is not None else engine_config, **kwargs)  # type: ignore[arg-type]

    return make


@pytest.fixture
def example_env(tmp_path: Path) -> dict[str, str]:
    """The environment to run ``pulumi`` in an example's directory: its own file state
    backend and ``PULUMI_HOME`` in this test's tmp dir."""
    state = tmp_path / "state"
    state.mkdir()
    return cli_env(state, tmp_path / "home")


#: Tests of the duplicate cases run twice: where job listings show the request's
#: marker, and where they leave ``jobDescription`` out (the guard then reads job details).
BOTH_LISTINGS = pytest.mark.parametrize(
    "descriptions", ["descriptions shown", "descriptions omitted"], indirect=True
)


@pytest.fixture
def descriptions(request: pytest.FixtureRequest, emulator: EmulatorProcess) -> str:
    shown: str = request.param
    if shown == "descriptions omitted":
        emulator.control.job_defaults(omit_job_description=True)
    return shown
