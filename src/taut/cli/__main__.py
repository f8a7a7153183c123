"""``python -m taut.cli``: the same as the ``taut`` command."""

from taut.cli.main import run

run()
