"""Development tools for proctor: demo, benchmarks, detector evaluation, sample footage,
the embedded object store and process helpers used by the tests.

Installed in development and test environments only (``pip install -e ./proctor_dev``,
which ``scripts/bootstrap.sh`` does); the production ``server`` extra and the Docker image
never contain it. Its commands join the ``proctor`` CLI through the ``proctor.commands``
entry point.
"""
