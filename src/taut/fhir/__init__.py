"""FHIR R4 exchange of a client's whole course of care: export as a Bundle (``export.client_bundle``),
import into a clinic (``importer.import_bundle``), and the round-trip equivalence rule (``equivalence``).
An adapter beside ``taut.reports`` and ``taut.exchange``; it uses the services, never them."""
