"""A tiny Server-Sent Events *encoder*, for tests only.

It writes event blocks in any of the forms the standard allows (``field: value``, ``field:value``,
bare ``field`` for empty values; LF, CR or CRLF line ends, mixed per line; comments; keep-alives;
a leading BOM) so decoder tests can generate streams and know what they must decode to.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Optional, Union

__all__ = ["BOM", "EncodedEvent", "encode", "event_lines", "expected_events", "join_lines"]

BOM = "\ufeff"


@dataclass(frozen=True)
class EncodedEvent:
    """One event block to write.

    ``data=None`` writes no ``data`` line at all, so the block is not dispatched (it still sets the
    ID). ``data=""`` writes one empty ``data`` line. Data may contain ``\\n`` (one ``data`` line
    per piece) but no ``\\r``. ``id=""`` writes an ``id`` line that resets the last event ID.
    """

    event: Optional[str] = None
    data: Optional[str] = "x"
    id: Optional[str] = None
    retry: Optional[int] = None


EventLike = Union[EncodedEvent, tuple[Optional[str], Optional[str], Optional[str], Optional[int]]]


def _as_event(ev: EventLike) -> EncodedEvent:
    return ev if isinstance(ev, EncodedEvent) else EncodedEvent(*ev)


def _field(name: str, value: str, space: bool) -> str:
    if value == "" and not space:
        return name  # a line without a colon is the field with an empty value
    if value.startswith(" ") or space:
        # The decoder strips exactly one space after the colon, so a value that starts with a
        # space needs the separator space to survive.
        return f"{name}: {value}"
    return f"{name}:{value}"


def event_lines(
    ev: EventLike,
    *,
    spaces: Union[bool, Iterator[bool]] = True,
    comments: Union[Sequence[str], Iterator[Optional[str]]] = (),
    field_order: Sequence[str] = ("event", "retry", "data", "id"),
) -> list[str]:
    """The lines of one event block, ending with the blank line that dispatches it.

    ``spaces`` picks ``field: value`` (True) or ``field:value`` (False), once or per field.
    ``comments`` are written as ``:<text>`` lines: a sequence goes before the first field, an
    iterator is asked before every field (``None`` means no comment there).
    """
    e = _as_event(ev)
    space_iter = itertools.repeat(spaces) if isinstance(spaces, bool) else spaces
    lines: list[str] = []
    if not isinstance(comments, Iterator):
        lines.extend(":" + c for c in comments)
    fields: dict[str, list[str]] = {
        "event": [] if e.event is None else [e.event],
        "retry": [] if e.retry is None else [str(e.retry)],
        "data": [] if e.data is None else e.data.split("\n"),
        "id": [] if e.id is None else [e.id],
    }
    for name in field_order:
        for value in fields[name]:
            if isinstance(comments, Iterator):
                c = next(comments, None)
                if c is not None:
                    lines.append(":" + c)
            lines.append(_field(name, value, next(space_iter)))
    lines.append("")
    return lines


def join_lines(
    lines: Iterable[str], line_ends: Union[str, Iterable[str]] = "\n", *, bom: bool = False
) -> bytes:
    """Join lines, ending each with the next of ``line_ends`` (one string = the same for all).

    An LF ending an empty line right after a CR line end is written as CRLF instead: ``\\r\\n``
    would otherwise be read back as a single line end.
    """
    ends = itertools.repeat(line_ends) if isinstance(line_ends, str) else iter(line_ends)
    parts: list[str] = []
    prev_end = ""
    for line in lines:
        end = next(ends)
        if prev_end == "\r" and line == "" and end == "\n":
            # CR then an empty line ended by LF would read back as one CRLF, losing the blank
            # line; CR CRLF keeps both line ends.
            end = "\r\n"
        parts += (line, end)
        prev_end = end
    return ((BOM if bom else "") + "".join(parts)).encode("utf-8")


def encode(
    events: Iterable[EventLike],
    *,
    line_ends: Union[str, Iterable[str]] = "\n",
    bom: bool = False,
    spaces: Union[bool, Iterator[bool]] = True,
    comments: Optional[Iterator[Optional[str]]] = None,
    keepalive_between: bool = False,
) -> bytes:
    """Encode events into a complete stream (every block terminated by a blank line).

    ``keepalive_between`` writes ``: keepalive`` plus a blank line between events, as servers do
    for heartbeats; the extra blank line dispatches nothing because the data buffer is empty.
    """
    lines: list[str] = []
    for i, ev in enumerate(events):
        if keepalive_between and i:
            lines += [": keepalive", ""]
        lines += event_lines(ev, spaces=spaces, comments=comments if comments is not None else ())
    return join_lines(lines, line_ends, bom=bom)


def expected_events(
    events: Iterable[EventLike],
) -> list[tuple[str, str, Optional[str], Optional[int]]]:
    """What a spec-compliant decoder must yield, as ``(event, data, id, retry)`` tuples.

    IDs persist from block to block; an empty ID resets to ``None``; blocks without data are not
    dispatched; the event type defaults to ``"message"``.
    """
    out: list[tuple[str, str, Optional[str], Optional[int]]] = []
    last_id: Optional[str] = None
    for ev in map(_as_event, events):
        if ev.id is not None:
            last_id = ev.id or None
        if ev.data is not None:
            out.append((ev.event or "message", ev.data, last_id, ev.retry))
    return out
