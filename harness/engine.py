"""A hermetic Pulumi engine: the repo's ``pulumi`` CLI, state in a local directory, nothing
fetched from the network; the same for tests and benches."""

from __future__ import annotations

import os
from pathlib import Path

from pulumi import automation as auto

REPO = Path(__file__).resolve().parent.parent
VENV = REPO / ".venv"
PULUMI = VENV / "bin" / "pulumi"
#: Encrypts the secrets of throwaway local states (tests' and benches'), nothing else.
PASSPHRASE = "e2e-test-passphrase-7f3a"  # noqa: S105 - not a credential


def engine_env(state_dir: Path) -> dict[str, str]:
    """The engine's variables: local state in ``state_dir``, no update checks, no downloads,
    the venv's ``pulumi`` first on ``PATH``."""
    return {
        "PULUMI_BACKEND_URL": f"file://{state_dir}",
        "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "PATH": f"{VENV / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
    }


def cli_env(state_dir: Path, home: Path) -> dict[str, str]:
    """The whole environment for running ``pulumi`` as a subprocess, ``PULUMI_HOME`` in ``home``."""
    return {**os.environ, **engine_env(state_dir), "PULUMI_HOME": str(home)}


def workspace_options(
    state_dir: Path, home: Path, project: str, extra_env: dict[str, str] | None = None
) -> auto.LocalWorkspaceOptions:
    """Automation API options for an inline Python program of ``project`` on this engine."""
    return auto.LocalWorkspaceOptions(
        env_vars={**engine_env(state_dir), **(extra_env or {})},
        pulumi_home=str(home),
        pulumi_command=auto.PulumiCommand(root=str(VENV)),
        project_settings=auto.ProjectSettings(name=project, runtime="python"),
    )


def commvault_config(url: str, username: str, password: str) -> dict[str, auto.ConfigValue]:
    """Stack config that points the provider at ``url``, the password stored as a secret."""
    return {
        "commvault:url": auto.ConfigValue(url),
        "commvault:username": auto.ConfigValue(username),
        "commvault:password": auto.ConfigValue(password, secret=True),
    }
