"""Numbers and money as the clinic's locale writes them (issue 13: the clinic profile's locale and currency).

A small table for the locales a clinic can choose (``taut.clinic.people.LOCALES``): the decimal mark, the group
separator and where the currency goes, as the Unicode CLDR has them (checked against Babel 2.x output). Amounts
are whole cents of a currency with two decimals. The currency's own symbol is used where the locale's readers
know it without doubt (``$`` for US dollars in the United States, ``€`` everywhere); otherwise its ISO code."""

from __future__ import annotations

from dataclasses import dataclass

NBSP = "\u00a0"
NNBSP = "\u202f"  # narrow no-break space: French groups and the space before €


@dataclass(frozen=True)
class NumberStyle:
    decimal: str
    group: str
    after: bool  # the currency after the amount ("25,00 €") or before it ("£25.00")
    space: str  # between the currency and the amount
    home: str  # the locale's own dollar, if any: "USD", "CAD", "AUD", "NZD"


STYLES: dict[str, NumberStyle] = {
    "en-GB": NumberStyle(".", ",", False, "", ""),
    "en-US": NumberStyle(".", ",", False, "", "USD"),
    "en-CA": NumberStyle(".", ",", False, "", "CAD"),
    "en-AU": NumberStyle(".", ",", False, "", "AUD"),
    "en-NZ": NumberStyle(".", ",", False, "", "NZD"),
    "en-IE": NumberStyle(".", ",", False, "", ""),
    "de-DE": NumberStyle(",", ".", True, NBSP, ""),
    "fr-FR": NumberStyle(",", NNBSP, True, NBSP, ""),
    "fr-CA": NumberStyle(",", NBSP, True, NBSP, "CAD"),
    "es-ES": NumberStyle(",", ".", True, NBSP, ""),
    "nl-NL": NumberStyle(",", ".", False, NBSP, ""),
}
SYMBOLS = {"EUR": "€", "GBP": "£", "USD": "US$", "CAD": "CA$", "AUD": "A$", "NZD": "NZ$"}


def style(locale: str | None) -> NumberStyle:
    """The locale's style (British English for a locale not in the table)."""
    return STYLES.get(locale or "", STYLES["en-GB"])


def number(value: float, locale: str | None, decimals: int = 0) -> str:
    """1234.5, "de-DE", 1 -> "1.234,5"; the minus sign of a negative number comes first."""
    s = style(locale)
    text = f"{abs(value):,.{decimals}f}"
    whole, _, frac = text.partition(".")
    out = whole.replace(",", s.group) + (s.decimal + frac if frac else "")
    return ("-" if value < 0 and float(text.replace(",", "")) != 0 else "") + out


def currency_symbol(currency: str, locale: str | None) -> str:
    """What the locale writes for the currency: "$" for its own dollar, "€", "£", "US$" ...; else the code."""
    s = style(locale)
    if currency == s.home:
        return "$"
    return SYMBOLS.get(currency, currency)


def money(cents: int, currency: str, locale: str | None) -> str:
    """2500, "EUR", "de-DE" -> "25,00 €"; 2500, "GBP", "en-GB" -> "£25.00"; -2500, "USD", "en-US" -> "-$25.00"."""
    s = style(locale)
    symbol = currency_symbol(currency, locale)
    space = s.space or (" " if symbol.isalpha() else "")  # "CHF 25.00", but "£25.00"
    amount = number(abs(cents) / 100, locale, 2)
    sign = "-" if cents < 0 else ""
    return f"{sign}{amount}{space}{symbol}" if s.after else f"{sign}{symbol}{space}{amount}"
