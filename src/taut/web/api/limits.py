"""Length caps for the free text of the API's request models (they appear in the OpenAPI schema as maxLength;
a longer value is a 422 naming the field). Database columns with a length keep their own (e.g. e-mail 254)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

Code = Annotated[
    str, Field(max_length=100)
]  # an id from the catalogue: trp ids, techniques, movements, terms
Line = Annotated[str, Field(max_length=200)]  # one line: a goal, a list entry, a name
Text = Annotated[str, Field(max_length=5000)]  # a paragraph
LongText = Annotated[str, Field(max_length=20_000)]  # a page: a summary, a home-care text
