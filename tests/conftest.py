"""Shared test configuration. Fixtures for each layer live in that layer's conftest.py."""
