"""The ``proctor`` command line (typer)."""
