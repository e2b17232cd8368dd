"""Running Pulumi programs through the real CLI (Automation API), on a local file backend."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pulumi import automation as auto

REPO = Path(__file__).resolve().parent.parent
PASSPHRASE = "e2e-test-passphrase-7f3a"


def engine_env(state_dir: Path) -> dict[str, str]:
    """A hermetic engine: local state in ``state_dir``, no update checks, no downloads."""
    return {
        "PULUMI_BACKEND_URL": f"file://{state_dir}",
        "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "PATH": f"{REPO / '.venv' / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
    }


@dataclass
class Deployment:
    """One stack of one inline program; every CLI line it printed is kept in ``output``."""

    stack: auto.Stack
    state_dir: Path
    project: str
    output: list[str] = field(default_factory=list)

    def _say(self, line: str) -> None:
        self.output.append(line)

    def preview(self, **kwargs: Any) -> auto.PreviewResult:
        return self.stack.preview(on_output=self._say, color="never", **kwargs)

    def up(self, **kwargs: Any) -> auto.UpResult:
        return self.stack.up(on_output=self._say, color="never", **kwargs)

    def refresh(self, **kwargs: Any) -> auto.RefreshResult:
        return self.stack.refresh(on_output=self._say, color="never", **kwargs)

    def destroy(self, **kwargs: Any) -> auto.DestroyResult:
        return self.stack.destroy(on_output=self._say, color="never", **kwargs)

    def resources(self) -> list[dict[str, Any]]:
        deployment = self.stack.export_stack().deployment
        return list(deployment.get("resources") or [])

    def outputs_of(self, name: str) -> dict[str, Any]:
        for resource in self.resources():
            if resource["urn"].endswith(f"::{name}"):
                return dict(resource.get("outputs") or {})
        raise KeyError(name)

    def state_text(self) -> str:
        stacks = self.state_dir / ".pulumi" / "stacks" / self.project
        return "\n".join(p.read_text() for p in sorted(stacks.glob("*.json")))

    def exported_text(self) -> str:
        """``pulumi stack export`` as a user runs it (the Automation API's shows secrets)."""
        return self.cli("stack", "export")

    def cli(self, *args: str) -> str:
        """Run the pulumi CLI on this stack; its standard output."""
        env = {
            **os.environ,
            **engine_env(self.state_dir),
            "PULUMI_HOME": str(self.state_dir.parent / "home"),
        }
        done = subprocess.run(
            [
                "pulumi",
                *args,
                "--stack",
                f"organization/{self.project}/{self.stack.name}",
                "--non-interactive",
            ],
            cwd=self.state_dir,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout


def deploy(
    tmp_path: Path,
    program: Callable[[], None],
    config: dict[str, auto.ConfigValue],
    *,
    project: str = "commvault-e2e",
    stack_name: str = "e2e",
    extra_env: dict[str, str] | None = None,
) -> Deployment:
    state_dir = tmp_path / "state"
    state_dir.mkdir(exist_ok=True)
    options = auto.LocalWorkspaceOptions(
        env_vars={**engine_env(state_dir), **(extra_env or {})},
        pulumi_home=str(tmp_path / "home"),
        pulumi_command=auto.PulumiCommand(root=str(REPO / ".venv")),
        project_settings=auto.ProjectSettings(name=project, runtime="python"),
    )
    stack = auto.create_or_select_stack(
        stack_name=stack_name, project_name=project, program=program, opts=options
    )
    stack.set_all_config(config)
    return Deployment(stack, state_dir, project)
