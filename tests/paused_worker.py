"""A Celery worker for tests/test_faults_worker_killed.py whose renderer can be made to pause.

    python tests/paused_worker.py -A pbsm worker --pool=solo ...

With PBSM_TEST_RENDER_PAUSE=<seconds>, a render reports 1 % and then waits that long before it
really renders: the report stays `rendering` long enough, deterministically, for the test to kill
the worker in the middle. Without it this is the plain worker. Test-only: nothing in the project
reads the variable.
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pbsm.settings")

import django  # noqa: E402

django.setup()

from strategies.services import reports  # noqa: E402

PAUSE = float(os.environ.get("PBSM_TEST_RENDER_PAUSE") or 0)

if PAUSE:
    render = reports.version_report_pdf

    def paused(version, language, progress=None):
        if progress is not None:
            progress(1)
        time.sleep(PAUSE)
        return render(version, language, progress=progress)

    reports.version_report_pdf = paused

if __name__ == "__main__":
    from celery.__main__ import main

    sys.argv = ["celery", *sys.argv[1:]]
    main()
