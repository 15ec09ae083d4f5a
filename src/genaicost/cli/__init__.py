"""Command-line interface: thin wrappers over genaicost.app."""
