"""The Dockerfile agrees with the chart (user, port, command, tag) and its build context holds what the build needs."""

from __future__ import annotations

import json
import shlex
import tomllib
from pathlib import Path

import yaml
from chart_objects import container, pod_spec, render
from tools.render_manifests import CHART_DIR, ROOT

SERVE_COMMAND = ["serve", "--host", "0.0.0.0", "--port", "8080", "--store", "sqlite:////data/genaicost.db",
                 "--token-file", "/var/run/genaicost/token"]   # docs/internals.md, the serve contract


def instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with comments dropped and continuation lines joined."""
    out: list[tuple[str, str]] = []
    pending = ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line, pending = pending + line, ""
        word, _, rest = line.partition(" ")
        out.append((word.upper(), rest.strip()))
    return out


def stages(path: Path) -> list[list[tuple[str, str]]]:
    found: list[list[tuple[str, str]]] = []
    for ins in instructions(path):
        if ins[0] == "FROM":
            found.append([])
        found[-1].append(ins)
    return found


def last(stage: list[tuple[str, str]], word: str) -> str:
    return [arg for ins, arg in stage if ins == word][-1]


def test_image_is_python_311_slim_running_genaicost_serve_as_non_root() -> None:
    build, final = stages(ROOT / "Dockerfile")
    assert last(build, "FROM") == "python:3.11-slim AS build"
    assert last(final, "FROM") == "python:3.11-slim"
    assert "pip install ." in last(build, "RUN")
    assert json.loads(last(final, "ENTRYPOINT")) == ["genaicost"]
    assert json.loads(last(final, "CMD")) == SERVE_COMMAND
    assert last(final, "EXPOSE") == "8080"
    user, group = last(final, "USER").split(":")
    assert int(user) != 0
    # numeric, so the kubelet can check runAsNonRoot, and the chart's pod runs as the same ids
    pod = pod_spec(render())["securityContext"]
    assert (int(user), int(group)) == (pod["runAsUser"], pod["runAsGroup"])
    setup = last(final, "RUN")
    assert f"--uid {user}" in setup and f"--gid {group}" in setup and f"chown {user}:{group} /data" in setup


def test_chart_runs_the_image_command_with_its_own_settings_added() -> None:
    args = container(render())["args"]
    assert args[:5] == SERVE_COMMAND[:5]
    for flag in ("--store", "--token-file"):
        assert args[args.index(flag) + 1] == SERVE_COMMAND[SERVE_COMMAND.index(flag) + 1]
    assert container(render())["ports"][0]["containerPort"] == 8080


def test_chart_app_version_is_the_package_version_and_the_documented_tag() -> None:
    chart = yaml.safe_load((CHART_DIR / "Chart.yaml").read_text())
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert chart["appVersion"] == version
    repository = yaml.safe_load((CHART_DIR / "values.yaml").read_text())["image"]["repository"]
    assert f"docker build -t {repository}:{version} ." in (ROOT / "Dockerfile").read_text()


def test_build_context_keeps_every_file_the_build_reads() -> None:
    """.dockerignore excludes everything but the COPY sources; pyproject's readme, license, packages and package
    data are inside them, so `pip install .` in the image sees the same project as a checkout."""
    build, _ = stages(ROOT / "Dockerfile")
    sources = [s for _, arg in build if _ == "COPY" for s in shlex.split(arg)[:-1]]
    assert sources == ["pyproject.toml", "README.md", "LICENSE", "src"]
    ignore = [line for line in (ROOT / ".dockerignore").read_text().splitlines() if line and line[0] != "#"]
    assert ignore[0] == "*"
    kept = {line[1:].rstrip("/") for line in ignore if line.startswith("!")}
    assert kept == set(sources)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["readme"] in kept
    assert (ROOT / "LICENSE").is_file()
    assert project["tool"]["setuptools"]["packages"]["find"]["where"] == ["src"]
    assert set(project["tool"]["setuptools"]["package-data"]) == {"genaicost"}   # package data lives under src/
    assert project["project"]["scripts"]["genaicost"] == "genaicost.cli.main:app"
