"""The body map for a client painting their own body (the intake by link): the views say "your right"."""

from __future__ import annotations

import pytest

from taut.web.bodymap import bodymap_views_svg


def test_the_client_audience_captions_the_views_with_the_clients_own_sides() -> None:
    client = str(bodymap_views_svg(("front", "back"), id_prefix="c-", audience="client"))
    assert "Your front" in client and "your right (R) is on the left of the picture" in client
    assert "Your back" in client and "Patient facing" not in client
    staff = str(bodymap_views_svg(("front",), id_prefix="c-"))
    assert "Patient facing you" in staff and "Your front" not in staff
    with pytest.raises(ValueError, match="audience"):
        bodymap_views_svg(("front",), audience="visitor")
