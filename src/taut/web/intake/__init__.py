"""Intake: the interactive body map and the intake form; suggestions beside the drawing; red-flag decisions."""
