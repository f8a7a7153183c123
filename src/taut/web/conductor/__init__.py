"""The session conductor: planned points in order, the hold timer, every hold saved as it happens; aftercare and the 48-hour check-in."""
