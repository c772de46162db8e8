"""Reproducible installs: ranges in pyproject.toml, exact pins in constraints.txt, CI uses them."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
NO_UPPER_BOUND = {"tzdata"}  # time zone data: newer is always better, no API to break


def project() -> dict[str, object]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def runtime_requirements() -> list[Requirement]:
    return [Requirement(r) for r in project()["dependencies"]]  # type: ignore[attr-defined]


def all_requirements() -> list[Requirement]:
    extras = project()["optional-dependencies"]
    found = runtime_requirements()
    for group in extras.values():  # type: ignore[attr-defined]
        found.extend(Requirement(r) for r in group if not r.startswith("quotebot"))
    return found


def pins() -> dict[str, str]:
    found: dict[str, str] = {}
    for raw in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        assert match, f"constraints.txt: not an exact pin: {raw!r}"
        found[canonicalize_name(match[1])] = match[2]
    return found


def closure(requirements: list[Requirement]) -> set[str]:
    """Every distribution installing `requirements` pulls in (markers for this platform)."""
    env = default_environment()
    seen: set[str] = set()
    todo = list(requirements)
    while todo:
        req = todo.pop()
        if req.marker is not None and not req.marker.evaluate({**env, "extra": ""}):
            continue
        name = canonicalize_name(req.name)
        if name in seen:
            continue
        seen.add(name)
        todo.extend(Requirement(r) for r in metadata.requires(req.name) or [])
    return seen


def test_runtime_dependencies_have_compatible_ranges() -> None:
    for req in runtime_requirements():
        operators = {s.operator for s in req.specifier}
        assert ">=" in operators, f"{req} has no lower bound"
        if canonicalize_name(req.name) not in NO_UPPER_BOUND:
            assert "<" in operators, f"{req} has no upper bound (next major could break us)"


def test_every_installed_dependency_is_pinned_and_the_pins_fit_the_ranges() -> None:
    pinned = pins()
    for req in all_requirements():
        name = canonicalize_name(req.name)
        assert name in pinned, f"{req.name} is not in constraints.txt"
        assert req.specifier.contains(pinned[name], prereleases=True), (
            f"constraints.txt pins {req.name}=={pinned[name]} outside {req.specifier}"
        )
    for name in closure(all_requirements()):
        assert name in pinned, f"{name} (a transitive dependency) is not pinned"
        assert metadata.version(name) == pinned[name], (
            f"installed {name} {metadata.version(name)} differs from the pin {pinned[name]}; "
            "regenerate constraints.txt from `pip freeze` (without the editable quotebot line)"
        )
    assert "quotebot" not in pinned


def test_ci_installs_from_the_constraints() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"pip\" install [^\n]*-c constraints\.txt -e '\.\[dev\]'", ci)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "-c constraints.txt" in readme
