"""The callshift command line (Typer + Rich). Run ``callshift --help``."""

from .main import app

__all__ = ["app"]
