"""genaicost: what generative-AI workloads on Kubernetes cost, per model and per token."""

__version__ = "0.1.0"
