"""The evaluation contract's metrics (shared/eval/score.py defines them; this is Taut's own implementation of the
same definitions, checked against the scorer in the tests): hit@1, hit@3, recall@5, MRR, red-flag sensitivity and
specificity."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from taut.knowledge import KnowledgeBase, knowledge

TOP = 20


def _norm(name: str) -> str:
    return " ".join(name.lower().replace("-", " ").split())


@dataclass(frozen=True)
class Metrics:
    hit1: float
    hit3: float
    recall5: float
    mrr: float
    redflag_sens: float
    redflag_spec: float
    cases: int

    def as_dict(self) -> dict[str, float | int]:
        return {
            "hit@1": self.hit1,
            "hit@3": self.hit3,
            "recall@5": self.recall5,
            "mrr": self.mrr,
            "redflag_sens": self.redflag_sens,
            "redflag_spec": self.redflag_spec,
            "cases": self.cases,
        }


class Names:
    """Aliases and groups of the muscle-name contract."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.alias: dict[str, str] = {}
        for name in kb.canonical:
            self.alias[_norm(name)] = _norm(name)
        for name, (_, aliases) in kb.canonical.items():
            for a in aliases:
                self.alias.setdefault(_norm(a), _norm(name))
        self.groups = {_norm(g): {_norm(m) for m in ms} for g, ms in kb.groups.items()}
        self.groups_of: dict[str, set[str]] = {}
        for g, ms in self.groups.items():
            for m in ms:
                self.groups_of.setdefault(m, set()).add(g)

    def unit(self, name: str) -> str | None:
        n = _norm(name)
        if n in self.groups:
            return "group:" + n
        return self.alias.get(n)

    def fold(self, muscles: list[str], wanted: set[str]) -> list[str]:
        units: list[str] = []
        for raw in muscles[:TOP]:
            name = _norm(raw)
            canon = self.alias.get(name)
            if canon is None:
                if name in self.groups and "group:" + name in wanted and "group:" + name not in units:
                    units.append("group:" + name)
                continue
            unit = canon
            for g in sorted(self.groups_of.get(canon, ())):
                if "group:" + g in wanted:
                    unit = "group:" + g
                    break
            if unit not in units:
                units.append(unit)
        return units

    def in_examined(self, unit: str, examined: set[str]) -> bool:
        if unit in examined:
            return True
        if unit.startswith("group:"):
            return any(m in examined for m in self.groups[unit[6:]])
        return any("group:" + g in examined for g in self.groups_of.get(unit, ()))


def score(
    cases: list[dict[str, Any]], answers: dict[str, dict[str, Any]], kb: KnowledgeBase | None = None
) -> Metrics:
    names = Names(kb or knowledge())
    hit1 = hit3 = rr = recall = n_rank = 0.0
    pos = pos_ok = neg = neg_ok = 0
    for case in cases:
        exp = case.get("expected", {})
        ans = answers.get(case["id"])
        raised = bool(ans and ans.get("red_flags"))
        if "red_flag" in exp:
            if exp["red_flag"]:
                pos += 1
                pos_ok += raised
            else:
                neg += 1
                neg_ok += not raised
        wanted_list: list[str] = []
        for n in exp.get("muscles", []):
            u = names.unit(n)
            if u is not None and u not in wanted_list:
                wanted_list.append(u)
        if not wanted_list:
            continue
        wanted = set(wanted_list)
        units = names.fold([str(e.get("muscle", "")) for e in (ans or {}).get("ranking", [])], wanted)
        examined = {u for u in (names.unit(n) for n in exp.get("examined", [])) if u}
        if examined:
            units = [u for u in units if names.in_examined(u, examined)]
        places = [i + 1 for i, u in enumerate(units) if u in wanted]
        first = places[0] if places else None
        n_rank += 1
        hit1 += first == 1
        hit3 += first is not None and first <= 3
        rr += 1.0 / first if first else 0.0
        recall += len(set(units[:5]) & set(wanted_list[:5])) / min(len(wanted_list), 5)
    k = max(n_rank, 1)
    return Metrics(
        hit1 / k,
        hit3 / k,
        recall / k,
        rr / k,
        pos_ok / pos if pos else 1.0,
        neg_ok / neg if neg else 1.0,
        len(cases),
    )
