"""What genaicost does about an alert: notifiers (webhook, Slack, Alertmanager, log) and Kubernetes actions.

docs/actions.md describes every notifier and action, their settings, payloads and permissions.
"""
