"""Settings for the benchmark server started by bench/landed_cost.py: the project's own, plus a bare
endpoint to measure the web stack's floor against (bench/bench_urls.py). Not used by the app."""

from ewtp.settings.development import *  # noqa: F403

ROOT_URLCONF = "bench_urls"
