"""A note's plain text laid out for reading: the SOAP headings (SUBJECTIVE, OBJECTIVE, ASSESSMENT, PLAN,
BILLING ...) become sections, ``- `` lines become lists (indented ones nest under the line above), and a
``Label: text`` line shows its label in bold. Text the therapist typed is kept as it is: nothing is dropped,
only grouped."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

SECTIONS = {
    "SUBJECTIVE": ("S", "Subjective"),
    "OBJECTIVE": ("O", "Objective"),
    "ASSESSMENT": ("A", "Assessment"),
    "PLAN": ("P", "Plan"),
}
_LABEL = re.compile(r"^([^:\n]{1,60}?):(?:\s+(.*))?$")
_BULLET = re.compile(r"^(\s*)[-*]\s+(.*)$")


@dataclass(frozen=True)
class Line:
    label: str  # "Chief complaint"; "" when the line has none
    text: str


@dataclass
class Item:
    line: Line
    children: list[Line] = field(default_factory=list)


@dataclass
class Block:
    kind: str  # "para" (lines shown one under the other) or "list"
    lines: list[Line] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)


@dataclass
class Section:
    letter: str  # "S", "O", "A", "P"; "" for other headings and for text before the first heading
    heading: str  # "Subjective", "Billing (CPT, timed codes)"; "" for text before the first heading
    blocks: list[Block] = field(default_factory=list)


@dataclass
class NoteLayout:
    title: str  # the SOAP note's first line ("SOAP note: Maria Keller, ..."); "" otherwise
    sections: list[Section]

    @property
    def soap(self) -> bool:
        return any(s.letter for s in self.sections)


def heading_of(line: str) -> tuple[str, str] | None:
    """(letter, heading) when the line is a section heading of a SOAP note ("PLAN", "BILLING (CPT ...)")."""
    text = line.strip().rstrip(":")
    if text in SECTIONS:
        return SECTIONS[text]
    if text == "BILLING" or text.startswith("BILLING "):
        return "", "Billing" + text[len("BILLING") :]
    return None


def labelled(text: str) -> Line:
    m = _LABEL.match(text)
    if m and not m.group(1).strip().startswith(("http", "(")):
        return Line(m.group(1).strip(), (m.group(2) or "").strip())
    return Line("", text)


def layout(body: str) -> NoteLayout:
    lines = body.replace("\r\n", "\n").split("\n")
    title = ""
    if lines and lines[0].startswith("SOAP note"):
        title = lines.pop(0).strip()
    sections = [Section("", "")]
    block: Block | None = None
    for raw in lines:
        if not raw.strip():
            block = None
            continue
        head = heading_of(raw)
        if head is not None:
            sections.append(Section(*head))
            block = None
            continue
        bullet = _BULLET.match(raw)
        current = sections[-1]
        if bullet:
            indent, text = bullet.groups()
            if block is None or block.kind != "list":
                block = Block("list")
                current.blocks.append(block)
            if indent and block.items:
                block.items[-1].children.append(Line("", text.strip()))
            else:
                block.items.append(Item(Line("", text.strip())))
            continue
        if block is None or block.kind != "para":
            block = Block("para")
            current.blocks.append(block)
        block.lines.append(labelled(raw.strip()))
    if not sections[0].blocks:
        sections.pop(0)
    return NoteLayout(title, sections)
