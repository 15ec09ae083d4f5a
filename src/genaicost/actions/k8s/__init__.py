"""Kubernetes actions taken when a budget is exceeded (docs/actions.md, "Actions")."""

from genaicost.actions.k8s.audit import AuditEntry, AuditLog
from genaicost.actions.k8s.base import Action, ActionPlan, PolicyRule
from genaicost.actions.k8s.plan import execute, plan_actions
from genaicost.actions.k8s.registry import ACTIONS, parse_settings, required_permissions, validate_actions

__all__ = ["ACTIONS", "Action", "ActionPlan", "AuditEntry", "AuditLog", "PolicyRule", "execute", "parse_settings",
           "plan_actions", "required_permissions", "validate_actions"]
