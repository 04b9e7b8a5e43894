"""Production-like settings for `make bench`: the real settings plus a bare view to compare against."""

from pbsm.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"
