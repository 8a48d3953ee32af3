"""``python -m proctor`` is the ``proctor`` command."""

from proctor.cli.main import main

main()
