"""Examination (trigger points on the body map, findings, range of motion) and the treatment plan."""
