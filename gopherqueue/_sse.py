"""Incremental Server-Sent Events decoder: bytes in, events out, no I/O.

Implements the "event stream interpretation" rules of the WHATWG HTML standard
(https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation):

* the stream is UTF-8; invalid bytes decode to U+FFFD, and one byte order mark is skipped at the
  very start of the stream only;
* lines end in CRLF, LF or CR, and a CR at the end of one chunk followed by an LF at the start of
  the next is a single line end;
* ``:`` starts a comment; otherwise a line is ``field:value`` split at the first colon, with one
  leading space removed from the value, and a line without a colon is a field with an empty value;
* ``event`` sets the type, ``data`` appends a line, ``id`` sets the last event ID unless it contains
  NUL, ``retry`` sets the reconnection time when it is all ASCII digits, anything else is ignored;
* a blank line dispatches the event, unless no ``data`` line was seen (the ``id`` still counts);
* an event still unterminated at the end of the stream is discarded.

Beyond the standard, a decoder may cap the length of a line and the size of an event's data
(in characters), so a stream that never ends a line or an event cannot grow the buffers
without bound; it then raises :class:`~gopherqueue.ResponseTooLargeError`.

Chunks may be split anywhere: inside a line, between CR and LF, inside a multi-byte character.
"""

from __future__ import annotations

import codecs
import json
from typing import Any, NamedTuple, Optional

from ._exceptions import ResponseTooLargeError

__all__ = ["SSEDecoder", "ServerSentEvent"]


class ServerSentEvent(NamedTuple):
    """One dispatched Server-Sent Event.

    An immutable, hashable record. It is a named tuple rather than an attrs class because
    building it is the hottest step of decoding, and a frozen attrs ``__init__`` (which assigns
    through ``object.__setattr__``) made that step a third of the decoder's time.

    Attributes:
        event: The event type; ``"message"`` when the stream gave none (or an empty one).
        data: The data lines joined with ``"\\n"`` (no trailing newline). ``""`` for a lone
            ``data`` line.
        id: The last event ID in force when the event was dispatched. IDs persist across events
            until the stream sets another one; ``None`` when no ID (or an empty one) is in force.
        retry: The reconnection time in milliseconds, if this event's own block set one.
    """

    event: str = "message"
    data: str = ""
    id: Optional[str] = None
    retry: Optional[int] = None

    def json(self) -> Any:
        """Parse :attr:`data` as JSON (raises ``json.JSONDecodeError`` if it is not JSON)."""
        return json.loads(self.data)


_Utf8Decoder = codecs.getincrementaldecoder("utf-8")


class SSEDecoder:
    """Incremental, spec-compliant decoder for a ``text/event-stream`` body.

    Feed it the raw body bytes in chunks of any size; each :meth:`feed` returns the events that
    the chunk completed. Call :meth:`close` at the end of the stream.

    After :meth:`close` the decoder is ready for a new stream (a reconnection) and keeps
    :attr:`last_event_id` and :attr:`retry`, which the standard says outlive one connection.

    Example::

        decoder = SSEDecoder()
        for chunk in response.iter_bytes():
            for event in decoder.feed(chunk):
                handle(event)
        decoder.close()
    """

    __slots__ = (
        "_at_boundary",
        "_block_retry",
        "_data",
        "_data_size",
        "_event",
        "_id_buffer",
        "_last_event_id",
        "_max_event",
        "_max_line",
        "_partial",
        "_partial_size",
        "_retry",
        "_skip_lf",
        "_started",
        "_utf8",
    )

    def __init__(self, *, max_line: int | None = None, max_event: int | None = None) -> None:
        """Create a decoder positioned at the start of a stream.

        ``max_line`` caps the characters of one line, ``max_event`` those of one event's data
        (its data lines and the newlines joining them); ``None`` is no cap. Past a cap,
        :meth:`feed` raises :class:`~gopherqueue.ResponseTooLargeError` naming it.
        """
        self._max_line = max_line
        self._max_event = max_event
        self._last_event_id = ""
        self._retry: Optional[int] = None
        self._reset_stream()

    def _reset_stream(self) -> None:
        self._utf8 = _Utf8Decoder(errors="replace")
        # False until the first decoded character, so a BOM split across chunks is still seen.
        self._started = False
        # Pieces of the current incomplete line. A list, not a str, so a huge line arriving in
        # many chunks is joined once instead of being re-copied on every chunk.
        self._partial: list[str] = []
        self._partial_size = 0
        # The previous chunk ended in CR: an LF starting the next chunk belongs to that line end.
        self._skip_lf = False
        # True while the next chunk needs _strip_head (stream start or pending CR), so the
        # common case costs one attribute test.
        self._at_boundary = True
        self._event = ""
        self._data: list[str] = []
        # Characters of the pending event's data, for max_event.
        self._data_size = 0
        # The spec starts a stream's ID buffer empty, but browsers seed it with the ID from the
        # previous connection; otherwise the first blank line after a reconnect would wipe the
        # ID the client just resumed from.
        self._id_buffer = self._last_event_id
        self._block_retry: Optional[int] = None

    @property
    def last_event_id(self) -> str:
        """The last event ID string: what a reconnection sends as ``Last-Event-ID``.

        ``""`` until the stream sets one. An ``id`` field takes effect at the blank line that
        ends its block (even one without ``data``), so an ``id`` in an unterminated block
        is not reflected here.
        """
        return self._last_event_id

    @property
    def retry(self) -> Optional[int]:
        """The most recent valid ``retry`` value (milliseconds) seen, or ``None``."""
        return self._retry

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Decode one chunk of the stream and return the events it completed, in order."""
        text = self._utf8.decode(chunk)
        if not text:
            return []
        if self._at_boundary:
            text = self._strip_head(text)
            if not text:
                return []
        if "\r" in text:
            if text[-1] == "\r":
                # That CR already ends its line; remember it so an LF starting the next chunk
                # is not taken for a second, blank, line.
                self._skip_lf = self._at_boundary = True
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        lines = text.split("\n")
        partial = self._partial
        max_line = self._max_line
        if len(lines) == 1:
            partial.append(text)
            self._partial_size += len(text)
            if max_line is not None and self._partial_size > max_line:
                raise self._too_large("max_event_line_size", max_line, "line")
            return []
        if partial:
            partial.append(lines[0])
            lines[0] = "".join(partial)
            partial.clear()
        last = lines.pop()
        if last:
            partial.append(last)
        self._partial_size = len(last)
        # A line can only be longer than the chunk it came in when it began in an earlier one
        # (lines[0]), so the common case checks one line.
        if max_line is not None and (
            len(lines[0]) > max_line
            or len(last) > max_line
            or (len(text) > max_line and max(map(len, lines)) > max_line)
        ):
            raise self._too_large("max_event_line_size", max_line, "line")

        # The parser state lives in locals for the loop: this is the hot path, and attribute
        # access per line would cost more than the parsing itself.
        events: list[ServerSentEvent] = []
        data = self._data
        event_type = self._event
        id_buffer = self._id_buffer
        last_id = self._last_event_id
        block_retry = self._block_retry
        max_event = self._max_event
        data_size = self._data_size
        for line in lines:
            if not line:
                last_id = id_buffer
                if max_event is not None and data_size > max_event:
                    raise self._too_large("max_event_size", max_event, "event's data")
                data_size = 0
                if data:
                    events.append(
                        ServerSentEvent(
                            event_type or "message",
                            "\n".join(data),
                            last_id or None,
                            block_retry,
                        )
                    )
                    data = []
                event_type = ""
                block_retry = None
                continue
            # A comment has an empty field name, so it falls through every branch below.
            name, _, value = line.partition(":")
            if value and value[0] == " ":
                value = value[1:]
            if name == "data":
                data.append(value)
                data_size += len(value) + 1
            elif name == "event":
                event_type = value
            elif name == "id":
                if "\0" not in value:
                    id_buffer = value
            elif name == "retry" and value.isdigit() and value.isascii():
                try:
                    block_retry = self._retry = int(value)
                except ValueError:
                    # Beyond Python's int-from-str digit limit: no sane reconnection time.
                    pass
        if max_event is not None and data_size > max_event:
            raise self._too_large("max_event_size", max_event, "event's data")
        self._data = data
        self._data_size = data_size
        self._event = event_type
        self._id_buffer = id_buffer
        self._last_event_id = last_id
        self._block_retry = block_retry
        return events

    @staticmethod
    def _too_large(limit: str, size: int, what: str) -> ResponseTooLargeError:
        return ResponseTooLargeError(
            f"the event stream sent a {what} longer than {limit} ({size} characters); pass a "
            f"larger {limit} (or None) to the client to accept it",
            limit=limit,
            max_size=size,
        )

    def _strip_head(self, text: str) -> str:
        """Handle what only matters at the start of a chunk: the BOM and a pending CR."""
        if not self._started:
            self._started = True
            if text[0] == "\ufeff":
                text = text[1:]
                if not text:
                    self._at_boundary = self._skip_lf
                    return text
        if self._skip_lf:
            self._skip_lf = False
            if text[0] == "\n":
                text = text[1:]
        self._at_boundary = False
        return text

    def close(self) -> list[ServerSentEvent]:
        """Signal the end of the stream.

        An event that was not terminated by a blank line is discarded, as the standard requires,
        so this always returns ``[]``; it exists so callers can treat every decoder alike. The
        decoder is then reset for a new stream, keeping :attr:`last_event_id` and :attr:`retry`.
        """
        self._reset_stream()
        return []
