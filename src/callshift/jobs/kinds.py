"""Importing this registers every kind of job with the runner."""
from . import bulk_move  # noqa: F401
from . import requests_apply  # noqa: F401
from . import csv_import  # noqa: F401
