"""Prometheus source: the HTTP client, chunked queries over long windows, and (in sibling modules) history."""

from genaicost.sources.prometheus.client import PrometheusClient, PrometheusError

__all__ = ["PrometheusClient", "PrometheusError"]
