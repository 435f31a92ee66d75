"""Benchmarks: `python bench/web.py` (the web app under gunicorn) and `python bench/dispatch.py`; see README.md."""
