"""Benchmarks: `python bench/app_load.py` (the web app under gunicorn) and `python bench/dispatch.py`; see README.md."""
