"""docker-compose.yml, the Dockerfile, .env.example and .ci/run cannot be run here (no
Docker engine), so keep them correct by construction: every command they start must
parse with the real CLI, and every JAXDOJO_* variable they set must be a real setting."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.cli import build_parser
from app.core.config import Settings
from grader.config import GraderLimits, GraderSettings

REPO = Path(__file__).resolve().parents[2]


def _env_names() -> set[str]:
    names = {"DATABASE_URL"}
    for prefix, model in (
        ("JAXDOJO_", Settings),
        ("JAXDOJO_", GraderSettings),
        ("JAXDOJO_LIMIT_", GraderLimits),
    ):
        names |= {prefix + field.upper() for field in model.model_fields}
    return names


# Variables that only docker compose itself reads (interpolation), not the app.
COMPOSE_ONLY = {"JAXDOJO_PORT", "JAXDOJO_WORKER_CONCURRENCY"}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())


def test_compose_has_the_documented_services(compose: dict[str, Any]) -> None:
    assert {"postgres", "migrate", "web", "worker"} <= set(compose["services"])
    assert compose["services"]["postgres"]["healthcheck"]


def _jaxdojo_argv(service: dict[str, Any]) -> list[str]:
    entry = service.get("entrypoint")
    if entry and entry[:2] == ["sh", "-c"]:
        script = entry[2]
        tail = script[script.index("jaxdojo ") + len("jaxdojo ") :]
        tail = re.sub(r'"\$\{[A-Z_]+:-([^}]*)\}"', r"\1", tail)
        return shlex.split(tail)
    return list(service["command"])


@pytest.mark.parametrize("name", ["migrate", "web", "worker", "worker-gpu"])
def test_every_compose_command_parses_with_the_real_cli(compose: dict[str, Any], name: str) -> None:
    argv = _jaxdojo_argv(compose["services"][name])
    args = build_parser().parse_args(argv)
    assert callable(args.func)


def test_dockerfile_default_command_parses() -> None:
    text = (REPO / "Dockerfile").read_text()
    cmd = re.search(r"^CMD (\[.*\])$", text, re.M)
    assert cmd, "Dockerfile has no exec-form CMD"
    build_parser().parse_args(yaml.safe_load(cmd.group(1)))


def test_every_variable_set_for_the_app_is_a_real_setting(compose: dict[str, Any]) -> None:
    known = _env_names()
    used: set[str] = set()
    for service in compose["services"].values():
        used |= {k for k in (service.get("environment") or {}) if k.startswith("JAXDOJO_")}
    used |= set(re.findall(r"^ENV .*?$|JAXDOJO_[A-Z_]+", (REPO / "Dockerfile").read_text()))
    used |= set(re.findall(r"^#? ?(JAXDOJO_[A-Z_]+)=", (REPO / ".env.example").read_text(), re.M))
    used = {u for u in used if u.startswith("JAXDOJO_")} - COMPOSE_ONLY
    unknown = used - known
    assert not unknown, f"not settings of jaxdojo: {sorted(unknown)}"


def test_ci_runs_the_readme_test_command() -> None:
    readme = (REPO / "README.md").read_text()
    ci = (REPO / ".ci" / "run").read_text()
    assert "make test" in readme and re.search(r"^make test$", ci, re.M)
