"""When two exported Bundles hold the same course of care.

What may differ, because an import necessarily changes it:

- ``Bundle.timestamp`` (and ``Bundle.id``/``Bundle.meta`` if present): when the export ran;
- every ``entry.fullUrl``, resource ``id`` and ``meta``: they derive from the database ids, which an import
  assigns anew. References are compared by what they point at: the n-th resource of that type in the Bundle;
- across clinics (``same_clinic=False``): the Organization's details and the Practitioners. The importing
  clinic is another organisation and its staff are mapped (same e-mail, otherwise the importing user), so
  who performed or signed is compared only as "a practitioner of the clinic".

Everything else must be equal, element by element and in the same order.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

Json = dict[str, Any]
DROPPED = ("id", "meta")


def normalized(bundle: Json, *, same_clinic: bool = True) -> Json:
    """The Bundle without what an import necessarily changes (see the module docstring)."""
    labels: dict[str, str] = {}
    seen: Counter[str] = Counter()
    entries = bundle.get("entry") or []
    for e in entries:
        r = e["resource"]
        t = r["resourceType"]
        label = t if (t == "Practitioner" and not same_clinic) else f"{t}#{seen[t]}"
        seen[t] += 1
        labels[e["fullUrl"]] = label
        if "id" in r:
            labels[f"{t}/{r['id']}"] = label

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            out = {}
            for k, v in value.items():
                if k == "reference" and isinstance(v, str):
                    out[k] = labels.get(v, v)
                else:
                    out[k] = walk(v)
            return out
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    resources = []
    for e in entries:
        r = {k: v for k, v in e["resource"].items() if k not in DROPPED}
        if not same_clinic and r["resourceType"] == "Practitioner":
            continue
        if not same_clinic and r["resourceType"] == "Organization":
            r = {"resourceType": "Organization"}
        resources.append(walk(r))
    return {"resourceType": bundle.get("resourceType"), "type": bundle.get("type"), "entry": resources}


def equivalent(a: Json, b: Json, *, same_clinic: bool = True) -> bool:
    """Whether two Bundles hold the same course of care (see the module docstring for what may differ)."""
    return normalized(a, same_clinic=same_clinic) == normalized(b, same_clinic=same_clinic)


def differences(a: Json, b: Json, *, same_clinic: bool = True, limit: int = 10) -> list[str]:
    """The first paths where two Bundles differ after normalising, for a readable test failure."""
    out: list[str] = []

    def diff(x: Any, y: Any, path: str) -> None:
        if len(out) >= limit:
            return
        if isinstance(x, dict) and isinstance(y, dict):
            for k in list(x) + [k for k in y if k not in x]:
                diff(x.get(k), y.get(k), f"{path}.{k}")
        elif isinstance(x, list) and isinstance(y, list):
            if len(x) != len(y):
                out.append(f"{path}: {len(x)} items != {len(y)}")
            for i, (u, v) in enumerate(zip(x, y, strict=False)):
                diff(u, v, f"{path}[{i}]")
        elif x != y:
            out.append(f"{path}: {x!r} != {y!r}")

    diff(normalized(a, same_clinic=same_clinic), normalized(b, same_clinic=same_clinic), "Bundle")
    return out
