"""The cached builds of tools/pulumi-yaml/ and tools/sdkgen/ build only when their cache lacks
what they make (setup runs them every time), and refuse a pin that would split the module
cache. No Go, npm or network needed: a missing build fails where Go would be called."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from harness.engine import REPO

TOOLS = REPO / "tools"
NO_GO = "/nonexistent/go"  # GO= this: a build attempt dies naming Go, before any download


def run_script(script: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PULUMI_COMMVAULT_CACHE": str(cache), "GO": NO_GO}
    return subprocess.run(
        ["bash", str(script)], env=env, capture_output=True, text=True, check=False, timeout=60
    )


def yaml_host_version() -> str:
    for line in (TOOLS / "pulumi-yaml" / "go.mod").read_text().splitlines():
        if line.startswith("require github.com/pulumi/pulumi-yaml "):
            return line.split()[-1]
    raise AssertionError("tools/pulumi-yaml/go.mod does not pin github.com/pulumi/pulumi-yaml")


@pytest.mark.parametrize(
    ("stamp", "builds"),
    [("pinned", False), ("v0.0.1", True), (None, True)],
    ids=["stamp of the pinned version", "stamp of another version", "no stamp"],
)
def test_yaml_host_builds_only_when_the_cache_lacks_the_pinned_version(
    tmp_path: Path, stamp: str | None, builds: bool
) -> None:
    version = yaml_host_version()
    bin_dir = tmp_path / f"pulumi-language-yaml-{version}" / "bin"
    bin_dir.mkdir(parents=True)
    host = bin_dir / "pulumi-language-yaml"
    host.write_text("#!/bin/sh\n")
    host.chmod(0o755)
    if stamp is not None:
        (bin_dir / ".version").write_text(f"{version if stamp == 'pinned' else stamp}\n")

    done = run_script(TOOLS / "pulumi-yaml" / "build.sh", tmp_path)

    if builds:
        assert done.returncode != 0
        assert "Go is not installed" in done.stderr, done.stderr
    else:
        assert done.returncode == 0, done.stderr
        assert done.stdout.splitlines()[-1] == str(bin_dir)


def sdkgen_cache_dir(cache: Path, version: str) -> Path:
    sources = ["main.go", "sdkgen.go", "go.mod", "go.sum", "dotnet/main.go", "dotnet/go.mod"]
    sources += ["dotnet/go.sum", "dotnet/logo.png"]
    digest = hashlib.sha256(b"".join((TOOLS / "sdkgen" / s).read_bytes() for s in sources))
    return cache / f"sdkgen-{version}-{digest.hexdigest()[:12]}" / "bin"


def test_sdkgen_builds_nothing_when_both_binaries_are_cached(tmp_path: Path) -> None:
    version = next(
        line.split()[-1]
        for line in (TOOLS / "sdkgen" / "go.mod").read_text().splitlines()
        if line.strip().startswith("github.com/pulumi/pulumi/pkg/v3 ")
    )
    bin_dir = sdkgen_cache_dir(tmp_path, version)
    bin_dir.mkdir(parents=True)
    for name in ("sdkgen", "sdkgen-dotnet"):
        (bin_dir / name).write_text("#!/bin/sh\n")
        (bin_dir / name).chmod(0o755)

    done = run_script(TOOLS / "sdkgen" / "build.sh", tmp_path)

    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == str(bin_dir)


def test_sdkgen_refuses_a_pulumi_pkg_other_than_the_clis(tmp_path: Path) -> None:
    tools = tmp_path / "tools"
    shutil.copytree(TOOLS / "sdkgen", tools / "sdkgen", symlinks=True)
    shutil.copy(TOOLS / "go-build.sh", tools / "go-build.sh")  # what the builds share
    (tools / "pulumi-cli").mkdir()
    cli_mod = (TOOLS / "pulumi-cli" / "go.mod").read_text()
    (tools / "pulumi-cli" / "go.mod").write_text(
        cli_mod.replace("github.com/pulumi/pulumi/pkg/v3 v", "github.com/pulumi/pulumi/pkg/v3 v9.")
    )

    done = run_script(tools / "sdkgen" / "build.sh", tmp_path / "cache")

    assert done.returncode != 0
    assert "keep them equal" in done.stderr.splitlines()[0], done.stderr


def test_node_deps_install_nothing_when_the_lock_is_cached(tmp_path: Path) -> None:
    nodejs = TOOLS / "sdkgen" / "nodejs"
    lock = (nodejs / "package.json").read_bytes() + (nodejs / "package-lock.json").read_bytes()
    modules = tmp_path / f"sdk-nodejs-{hashlib.sha256(lock).hexdigest()[:12]}" / "node_modules"
    (modules / ".bin").mkdir(parents=True)
    (modules / ".bin" / "tsc").write_text("#!/bin/sh\n")
    (modules / ".bin" / "tsc").chmod(0o755)

    done = run_script(TOOLS / "sdkgen" / "node-deps.sh", tmp_path)

    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == str(modules)
    assert "npm ci" not in done.stderr
