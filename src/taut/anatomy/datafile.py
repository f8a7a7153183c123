"""YAML data files read with line numbers, and their problems reported as ``file:line: what is wrong``.

Used by every data file of the core: the body map (``anatomy/data/regions.yaml``), the normal ranges of motion
(``clinic/data/rom_norms.yaml``) and the knowledge base (``knowledge/data``). It lives in ``anatomy``, the
lowest layer, so that each of them can use it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:  # pydantic is imported only where a model is validated: the body map loads without it
    from pydantic import BaseModel

M = TypeVar("M", bound="BaseModel")


def _loader() -> Any:
    """PyYAML's safe loader (the C one when built), imported when a file is read: a cached copy needs no YAML."""
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class DataFileError(ValueError):
    """A data file is not valid; ``problems`` lists each problem as file:line."""

    def __init__(self, problems: list[Problem], what: str = "the data files") -> None:
        self.problems = problems
        lines = "\n".join(str(p) for p in problems[:50])
        more = f"\n... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{len(problems)} problem(s) in {what}:\n{lines}{more}")


class Doc:
    """A parsed YAML file that can tell the line of any path inside it (``rel``: its name in messages)."""

    def __init__(self, path: Path, rel: str, text: str | None = None) -> None:
        self.path = path
        self.rel = rel
        import yaml

        self.text = path.read_text(encoding="utf-8") if text is None else text
        self.data = yaml.load(self.text, Loader=_loader())
        self._node: Any = None

    @property
    def node(self) -> Any:
        """The YAML node tree, composed only when a line number is needed (an error)."""
        import yaml

        if self._node is None:
            self._node = yaml.compose(self.text, Loader=_loader())
        return self._node

    def line(self, loc: Iterable[Any]) -> int:
        """The line of the value at ``loc`` (keys and list indexes), or of the nearest enclosing one."""
        import yaml

        node = self.node
        line = node.start_mark.line + 1 if node is not None else 1
        for key in loc:
            if node is None:
                break
            nxt = None
            if isinstance(node, yaml.MappingNode):
                for k, v in node.value:
                    if k.value == str(key):
                        nxt = v
                        line = k.start_mark.line + 1
                        break
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
                nxt = node.value[key]
                line = nxt.start_mark.line + 1
            node = nxt
        return line


class Problems:
    """The problems found while reading a set of data files, each with its file and line."""

    def __init__(self) -> None:
        self.found: list[Problem] = []

    def __bool__(self) -> bool:
        return bool(self.found)

    def add(self, doc: Doc, loc: Iterable[Any], message: str) -> None:
        self.found.append(Problem(doc.rel, doc.line(loc), message))

    def read(self, path: Path, rel: str) -> Doc | None:
        """The parsed file, or None with the problem noted (not valid YAML, unreadable)."""
        import yaml

        try:
            return Doc(path, rel)
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            self.found.append(Problem(rel, (mark.line + 1) if mark else 1, f"not valid YAML: {e}"))
        except OSError as e:
            self.found.append(Problem(rel, 1, f"cannot read: {e}"))
        return None

    def listed(self, doc: Doc | None, key: str) -> list[tuple[int, Any]]:
        """(index, item) of the top-level list ``key:`` of ``doc`` (a problem when there is none)."""
        if doc is None:
            return []
        if not isinstance(doc.data, dict) or not isinstance(doc.data.get(key), list):
            self.found.append(Problem(doc.rel, 1, f"expected a top-level list '{key}:'"))
            return []
        return list(enumerate(doc.data[key]))

    def validate(self, model: type[M], data: Any, doc: Doc, base: tuple[Any, ...] = ()) -> M | None:
        """``data`` as ``model``, or None with every schema error noted at its own line."""
        from pydantic import ValidationError

        try:
            return model.model_validate(data)
        except ValidationError as e:
            for err in e.errors():
                where = ".".join(str(x) for x in err["loc"]) or "(top)"
                self.add(doc, base + tuple(err["loc"]), f"{where}: {err['msg']}")
            return None


def packaged(package: str, name: str) -> Path:
    """The path of a data file shipped inside a package (``packaged("taut.anatomy", "data/regions.yaml")``): beside
    the package's ``__init__.py`` (Taut is installed as files, never zipped; importlib.resources would cost a few
    milliseconds of imports at every start)."""
    import importlib

    init = importlib.import_module(package).__file__
    if init is None:
        raise ValueError(f"{package} is not a package with files")
    return Path(init).parent / name
