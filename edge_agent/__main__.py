"""``python -m edge_agent`` is the ``proctor-edge`` command."""

from edge_agent.cli import main

main()
