"""The site generator: config -> load -> assemble -> render -> write."""

__version__ = "0.1.0"
