"""Settings, one module per environment, chosen by DJANGO_SETTINGS_MODULE:

- `ewtp.settings.development`: `make run`, `manage.py` and a hand-started Celery worker; the embedded
  defaults (public development secrets, DEBUG on) so that a fresh clone runs with nothing set.
- `ewtp.settings.production`: the image (its Dockerfile sets it) and `ewtp/wsgi.py`'s default; every
  secret from the environment with no default, and it refuses to load while a setting is unsafe.
- `ewtp.settings.test`: pytest's (pyproject.toml); secrets made afresh for each run.

All three start from `ewtp.settings.base`, which holds what they share.
"""
