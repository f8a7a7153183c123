"""The ``taut`` command line (Typer). Heavy imports stay inside the commands so start-up is fast."""
