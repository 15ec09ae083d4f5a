"""`genaicost pricing ...`: look at and refresh the price catalog."""

from __future__ import annotations

import typer

pricing_app = typer.Typer(help="Show, list and refresh the AWS price catalog.", no_args_is_help=True)
