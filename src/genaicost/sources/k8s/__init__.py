"""Kubernetes objects (as the API / kubectl print them) → Snapshot tables, one module per object family."""
