"""Normal range-of-motion values (data file ``data/rom_norms.yaml``, with its sources)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml


@dataclass(frozen=True)
class RomNorm:
    id: str  # "cervical.rotation"
    name: str
    sided: bool
    aaos: int  # the normal value the record keeps
    ama: int | None
    note: str | None
    source: str


@cache
def rom_norms() -> dict[str, RomNorm]:
    raw = yaml.safe_load(resources.files("taut.clinic").joinpath("data/rom_norms.yaml").read_text("utf-8"))
    source = raw["sources"]["aaos"]
    return {
        m["id"]: RomNorm(
            m["id"], m["name"], bool(m["sided"]), int(m["aaos"]), m.get("ama"), m.get("note"), source
        )
        for m in raw["movements"]
    }
