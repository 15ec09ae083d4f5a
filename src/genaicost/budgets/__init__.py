"""Budgets files: the JSON schema shipped with the package and the loader that maps errors to YAML lines."""

from genaicost.budgets.loader import load_budgets, parse_budgets

__all__ = ["load_budgets", "parse_budgets"]
