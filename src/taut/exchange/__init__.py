"""Getting a clinic's data out of Taut and back in, so nothing is locked in.

- ``archive``: the whole clinic as one zip (``manifest.json``, ``data.json``, one CSV per table), exported
  by its owner and imported into an empty database with the same ids.
- ``choir``: pain drawings as CHOIR Body Map codes in a CSV file, both ways.

An adapter layer beside ``taut.reports`` and ``taut.fhir``; it uses the services and the store, never them.
"""
