"""The ``GOPHERQUEUE_LOG`` switch: debug logging from the environment, like ``OPENAI_LOG``.

``GOPHERQUEUE_LOG=debug`` (or ``info``, ``warning``) attaches one stderr handler to the
``gopherqueue`` logger at that level when the package is imported. Unset (the default) or any
other value changes nothing. The SDK's log lines never hold headers, bodies or the API key.
"""

from __future__ import annotations

import logging
import os
import sys

__all__ = ["configure_from_env"]

_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING}
_FORMAT = "%(asctime)s %(name)s %(levelname)s %(message)s"


class _EnvHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler ``GOPHERQUEUE_LOG`` attaches (a class of its own so it is attached once)."""


def configure_from_env() -> None:
    """Attach the stderr handler when ``GOPHERQUEUE_LOG`` names a level."""
    level = _LEVELS.get(os.environ.get("GOPHERQUEUE_LOG", "").strip().lower())
    if level is None:
        return
    logger = logging.getLogger("gopherqueue")
    if any(isinstance(h, _EnvHandler) for h in logger.handlers):
        return
    handler = _EnvHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(_FORMAT))
    logger.addHandler(handler)
    logger.setLevel(level)
