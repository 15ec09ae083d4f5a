"""Typer options shared by the commands that read history from Prometheus (`report`, `inference`).

Use them as parameter annotations, e.g. ``prometheus: PrometheusUrlOption = None``, then build the client with
`prometheus_client_from_options(...)` (secrets are read from files, never from the command line).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from genaicost.domain.errors import InputError
from genaicost.sources.prometheus.client import PrometheusClient

PROMETHEUS_PANEL = "Prometheus (history)"
DEFAULT_TIMEOUT_S = 30.0
DEFAULT_RESOLUTION = "5m"

PrometheusUrlOption = Annotated[
    str | None,
    typer.Option(
        "--prometheus",
        metavar="URL",
        rich_help_panel=PROMETHEUS_PANEL,
        help="Prometheus-compatible base URL (Prometheus, Thanos, Mimir, VictoriaMetrics, AMP behind a signing "
        "proxy) to read the window's history from, e.g. http://prometheus:9090.",
    ),
]
PrometheusTokenFileOption = Annotated[
    Path | None,
    typer.Option(
        "--prometheus-token-file",
        metavar="FILE",
        rich_help_panel=PROMETHEUS_PANEL,
        help="File holding a bearer token sent as `Authorization: Bearer …`.",
    ),
]
PrometheusHeaderOption = Annotated[
    list[str] | None,
    typer.Option(
        "--prometheus-header",
        metavar="'NAME: VALUE'",
        rich_help_panel=PROMETHEUS_PANEL,
        help="Extra HTTP header, 'NAME: VALUE' or NAME=VALUE (e.g. 'X-Scope-OrgID: team-a'); repeatable.",
    ),
]
PrometheusBasicAuthFileOption = Annotated[
    Path | None,
    typer.Option(
        "--prometheus-basic-auth-file",
        metavar="FILE",
        rich_help_panel=PROMETHEUS_PANEL,
        help="File holding `user:password` for HTTP basic auth.",
    ),
]
PrometheusCaFileOption = Annotated[
    Path | None,
    typer.Option(
        "--prometheus-ca-file",
        metavar="FILE",
        rich_help_panel=PROMETHEUS_PANEL,
        help="PEM bundle of the CA that signed the Prometheus server certificate.",
    ),
]
PrometheusInsecureOption = Annotated[
    bool,
    typer.Option(
        "--prometheus-insecure",
        rich_help_panel=PROMETHEUS_PANEL,
        help="Do not verify the server's TLS certificate (testing only).",
    ),
]
PrometheusTimeoutOption = Annotated[
    float,
    typer.Option(
        "--prometheus-timeout",
        metavar="SECONDS",
        rich_help_panel=PROMETHEUS_PANEL,
        help="Seconds to wait for each query (retried with backoff on timeouts and 5xx).",
    ),
]
ResolutionOption = Annotated[
    str,
    typer.Option(
        "--resolution",
        metavar="DURATION",
        rich_help_panel=PROMETHEUS_PANEL,
        help=("Sampling step of the history: 1m, 5m (default), 15m, 1h; it divides an hour or is whole hours. "
              "Hours are counted in steps of this size; set it to the scrape interval for the fastest queries."),
    ),
]


def read_secret_file(path: Path, option: str) -> str:
    """The file's text without surrounding whitespace; unreadable or empty files name the option."""
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError as err:
        raise InputError(f"cannot read the file ({err.strerror})", source=str(path), field=option) from None
    except UnicodeDecodeError:
        raise InputError("not a UTF-8 text file", source=str(path), field=option) from None
    if not text:
        raise InputError("the file is empty", source=str(path), field=option)
    return text


def parse_basic_auth(text: str, path: Path) -> tuple[str, str]:
    """`user:password` (the first line) → (user, password); the password may contain colons."""
    user, sep, password = text.splitlines()[0].partition(":")
    if not sep or not user:
        raise InputError("expected one line `user:password`", source=str(path),
                         field="--prometheus-basic-auth-file")
    return user, password


def parse_headers(values: list[str]) -> dict[str, str]:
    """['X-Scope-OrgID: a', 'K=V'] → {'X-Scope-OrgID': 'a', 'K': 'V'}: split at the first ':' or '='."""
    headers: dict[str, str] = {}
    for value in values:
        cut = min((i for i in (value.find(":"), value.find("=")) if i >= 0), default=-1)
        name = value[:cut].strip() if cut >= 0 else ""
        if not name or any(ch.isspace() for ch in name):
            raise InputError(f"header {value!r}: expected 'NAME: VALUE' or NAME=VALUE",
                             field="--prometheus-header")
        headers[name] = value[cut + 1:].strip()
    return headers


def prometheus_client_from_options(
    url: str,
    *,
    token_file: Path | None = None,
    headers: list[str] | None = None,
    basic_auth_file: Path | None = None,
    ca_file: Path | None = None,
    insecure: bool = False,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> PrometheusClient:
    """A PrometheusClient for the `--prometheus*` options; bad combinations are InputErrors naming the option."""
    if token_file is not None and basic_auth_file is not None:
        raise InputError("give --prometheus-token-file or --prometheus-basic-auth-file, not both",
                         field="--prometheus-token-file")
    if ca_file is not None and insecure:
        raise InputError("--prometheus-ca-file verifies the server; --prometheus-insecure does not: give one",
                         field="--prometheus-insecure")
    if timeout_s <= 0:
        raise InputError(f"timeout {timeout_s:g} s: must be more than zero", field="--prometheus-timeout")
    token = read_secret_file(token_file, "--prometheus-token-file") if token_file is not None else None
    basic_auth = None
    if basic_auth_file is not None:
        basic_auth = parse_basic_auth(read_secret_file(basic_auth_file, "--prometheus-basic-auth-file"),
                                      basic_auth_file)
    verify: bool | Path = False if insecure else (ca_file if ca_file is not None else True)
    return PrometheusClient(url, bearer_token=token, basic_auth=basic_auth, headers=parse_headers(headers or []),
                            verify=verify, timeout_s=timeout_s)
