"""Entry point of the `genaicost` command."""

from __future__ import annotations

import typer

import genaicost.cli.pricing_refresh  # noqa: F401  registers `pricing refresh` on pricing_app
from genaicost.cli.budgets import budgets_app
from genaicost.cli.collect import collect_command
from genaicost.cli.compare import compare_command
from genaicost.cli.forecast import forecast_command
from genaicost.cli.inference import inference_command
from genaicost.cli.pricing import pricing_app
from genaicost.cli.recommend import recommend_command
from genaicost.cli.report import report_command
from genaicost.cli.serve import serve_command

app = typer.Typer(
    name="genaicost",
    help="What generative-AI workloads on Kubernetes cost: per namespace, model and token.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(pricing_app, name="pricing")
app.add_typer(budgets_app, name="budgets")
app.command("report", help=report_command.__doc__)(report_command)
app.command("inference", help=inference_command.__doc__)(inference_command)
app.command("compare", help=compare_command.__doc__)(compare_command)
app.command("serve", help=serve_command.__doc__)(serve_command)
app.command("collect", help=collect_command.__doc__)(collect_command)
app.command("recommend", help=recommend_command.__doc__)(recommend_command)
app.command("forecast", help=forecast_command.__doc__)(forecast_command)
