"""Documents: SOAP notes (draft, edit, sign, amend), PDF handout and progress letter, FHIR export."""
