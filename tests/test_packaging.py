"""What ``uv build`` makes: the wheel's contents and metadata, the sdist, the version."""

from __future__ import annotations

import email.parser
import importlib.metadata
import re
from pathlib import Path

import pytest

import pulumi_commvault
from pulumi_commvault import _version
from wheel_support import REPO, Dist, session_dist

RUNTIME_DEPENDENCIES = ("pulumi", "pydantic", "requests", "rich", "urllib3")
PACKAGES = {
    "pulumi_commvault": REPO / "provider" / "pulumi_commvault",
    "commvault_emulator": REPO / "emulator" / "commvault_emulator",
}


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Dist:
    return session_dist(tmp_path_factory.mktemp("dist"))


def wheel_metadata(dist: Dist) -> email.message.Message:
    return email.parser.Parser().parsestr(dist.wheel_text(".dist-info/METADATA"))


def ranges_in_pyproject() -> dict[str, tuple[str, str]]:
    """``name -> (floor, ceiling)`` of each ``name>=floor,<ceiling`` in [project].dependencies."""
    text = (REPO / "pyproject.toml").read_text()
    block = re.search(r"^dependencies = \[(.*?)^\]", text, re.MULTILINE | re.DOTALL)
    assert block, "pyproject.toml has no [project].dependencies list"
    found = re.findall(r'"([a-z0-9-]+)>=([0-9.]+),<([0-9.]+)"', block.group(1))
    return {name: (floor, ceiling) for name, floor, ceiling in found}


def test_wheel_holds_every_module_of_both_packages_and_nothing_else(dist):
    names = set(dist.wheel_names())
    for package, source in PACKAGES.items():
        modules = {f"{package}/{p.relative_to(source)}" for p in source.rglob("*.py")}
        missing = modules - names
        assert not missing, f"modules missing from the wheel: {sorted(missing)}"
    tops = {name.split("/", 1)[0] for name in names}
    dist_info = f"pulumi_commvault-{_version.__version__}.dist-info"
    assert tops == {"pulumi_commvault", "commvault_emulator", dist_info}


def test_wheel_has_no_tests_bench_tools_or_caches(dist):
    unwanted = re.compile(r"(^|/)(tests?|bench|tools|docs|examples|__pycache__)(/|$)|\.pyc$")
    assert [n for n in dist.wheel_names() if unwanted.search(n)] == []


def test_wheel_marks_the_provider_package_as_typed(dist):
    assert "pulumi_commvault/py.typed" in dist.wheel_names()


def test_wheel_declares_the_emulator_console_script(dist):
    entry_points = dist.wheel_text(".dist-info/entry_points.txt")
    assert "[console_scripts]" in entry_points
    assert "commvault-emulator = commvault_emulator.cli:main" in entry_points
    # The provider plugin for non-Python programs, found on PATH by the engine (#25).
    assert "pulumi-resource-commvault = pulumi_commvault.plugin.server:main" in entry_points


def test_wheel_requires_ranges_of_the_runtime_dependencies_never_pins(dist):
    requires = wheel_metadata(dist).get_all("Requires-Dist") or []
    assert sorted(r.split("<")[0].split(">")[0] for r in requires) == sorted(RUNTIME_DEPENDENCIES)
    for requirement in requires:
        assert "==" not in requirement, requirement
        assert ">=" in requirement, requirement
        assert "<" in requirement, requirement


def test_wheel_metadata_names_version_urls_and_classifiers(dist):
    metadata = wheel_metadata(dist)
    assert metadata["Version"] == _version.__version__
    assert metadata["Requires-Python"] == "<3.14,>=3.11"
    urls = dict(u.split(", ", 1) for u in metadata.get_all("Project-URL") or [])
    assert {"Repository", "Documentation", "Changelog"} <= set(urls)
    assert all(u.startswith("https://") for u in urls.values())
    classifiers = metadata.get_all("Classifier") or []
    assert "Typing :: Typed" in classifiers
    assert "Programming Language :: Python :: 3.11" in classifiers


def test_sdist_holds_sources_tests_lock_and_changelog_but_not_ci_or_bench(dist):
    names = set(dist.sdist_names())
    expected = {
        "pyproject.toml",
        "uv.lock",
        "README.md",
        "CHANGELOG.md",
        "PKG-INFO",
        "provider/pulumi_commvault/__init__.py",
        "provider/pulumi_commvault/py.typed",
        "emulator/commvault_emulator/__init__.py",
        "tests/conftest.py",
        "tools/oldest-constraints.txt",
    }
    assert expected <= names, sorted(expected - names)
    assert not [n for n in names if n.startswith((".ci/", "bench/", ".venv/"))]


def test_oldest_constraints_pin_exactly_the_floors_of_the_ranges():
    floors = {name: floor for name, (floor, _) in ranges_in_pyproject().items()}
    assert sorted(floors) == sorted(RUNTIME_DEPENDENCIES)
    pins = {}
    for line in (REPO / "tools" / "oldest-constraints.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            pins[name] = version
    assert pins == floors


def test_installed_version_comes_from_the_single_version_file():
    assert importlib.metadata.version("pulumi-commvault") == _version.__version__


def test_package_exposes_its_version():
    assert pulumi_commvault.__version__ == _version.__version__  # type: ignore[attr-defined]


def test_changelog_has_a_section_for_this_version():
    changelog = (REPO / "CHANGELOG.md").read_text()
    assert re.search(rf"^## \[{re.escape(_version.__version__)}\]", changelog, re.MULTILINE)


def test_version_file_is_the_one_hatch_reads():
    text = (REPO / "pyproject.toml").read_text()
    assert 'dynamic = ["version"]' in text
    path = re.search(r'^\[tool\.hatch\.version\]\npath = "([^"]+)"', text, re.MULTILINE)
    assert path, "pyproject.toml has no [tool.hatch.version] path"
    assert Path(REPO / path.group(1)).resolve() == Path(_version.__file__).resolve()
