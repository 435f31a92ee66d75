"""Gunicorn settings for the bench baselines: every setting of gunicorn.conf.py, minus its post_fork hook,
which resets the app's database pool (the baselines have no database)."""
import runpy
from pathlib import Path

_production = runpy.run_path(str(Path(__file__).resolve().parent.parent / "gunicorn.conf.py"))
globals().update({name: value for name, value in _production.items()
                  if not name.startswith("_") and name != "post_fork"})
