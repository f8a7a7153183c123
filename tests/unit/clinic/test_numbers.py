"""Money and numbers as the clinic's locale writes them (issue 13), for every locale a clinic can choose."""

from __future__ import annotations

import pytest

from taut.clinic import appointments as ap
from taut.clinic.numbers import NBSP, NNBSP, STYLES, money, number
from taut.clinic.people import LOCALES


@pytest.mark.parametrize(
    ("cents", "currency", "locale", "shown"),
    [
        (123456, "USD", "en-US", "$1,234.56"),
        (123456, "GBP", "en-GB", "£1,234.56"),
        (2500, "USD", "en-GB", "US$25.00"),
        (2500, "CAD", "en-CA", "$25.00"),
        (2500, "USD", "en-CA", "US$25.00"),
        (2500, "AUD", "en-AU", "$25.00"),
        (2500, "EUR", "en-IE", "€25.00"),
        (123456, "EUR", "de-DE", f"1.234,56{NBSP}€"),
        (123456, "EUR", "fr-FR", f"1{NNBSP}234,56{NBSP}€"),
        (123456, "CAD", "fr-CA", f"1{NBSP}234,56{NBSP}$"),
        (123456, "EUR", "es-ES", f"1.234,56{NBSP}€"),
        (123456, "EUR", "nl-NL", f"€{NBSP}1.234,56"),
        (10735, "CHF", "en-GB", "CHF 107.35"),
        (10735, "CHF", "de-DE", f"107,35{NBSP}CHF"),
        (-2500, "USD", "en-US", "-$25.00"),
        (5, "EUR", "de-DE", f"0,05{NBSP}€"),
    ],
)
def test_money_in_the_clinics_locale(cents: int, currency: str, locale: str, shown: str) -> None:
    assert money(cents, currency, locale) == shown
    assert ap.money(cents, currency, locale) == shown


def test_every_locale_a_clinic_can_choose_has_a_style() -> None:
    assert set(LOCALES) == set(STYLES)


def test_without_a_locale_money_keeps_the_apis_form() -> None:
    assert ap.money(10735, "CAD") == "CAD 107.35"
    assert money(2500, "GBP", "xx-XX") == "£25.00"  # an unknown locale: British English


def test_numbers() -> None:
    assert number(1234567.891, "de-DE", 1) == "1.234.567,9"
    assert number(1234.5, "en-US", 2) == "1,234.50"
    assert number(-0.001, "en-GB", 2) == "0.00"  # no "-0.00"
    assert number(-3, "fr-FR") == "-3"
