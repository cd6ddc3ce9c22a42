"""``gopherqueue._ids``: the random UUIDs behind generated idempotency keys and server job ids."""

from __future__ import annotations

import os
import uuid

import pytest

from gopherqueue._ids import random_uuid


def test_is_a_canonical_version_4_uuid() -> None:
    for _ in range(2000):
        text = random_uuid()
        parsed = uuid.UUID(text)
        assert str(parsed) == text  # canonical: lowercase, dashed
        assert parsed.version == 4
        assert parsed.variant == uuid.RFC_4122


def test_every_random_bit_varies() -> None:
    # 122 bits are random: over many draws each of them is seen both set and clear, and the
    # 6 fixed bits never change.
    draws = [uuid.UUID(random_uuid()).int for _ in range(3000)]
    ones = 0
    zeros = 0
    for value in draws:
        ones |= value
        zeros |= ~value
    fixed = (0xF000 << 64) | (0xC000 << 48)
    assert ones & ~fixed == (1 << 128) - 1 & ~fixed
    assert zeros & ~fixed & ((1 << 128) - 1) == (1 << 128) - 1 & ~fixed
    assert len(set(draws)) == len(draws)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork is POSIX only")
def test_forked_processes_draw_different_ids() -> None:
    # A pre-forking server (gunicorn --preload) may submit a job before it forks its workers;
    # state carried over the fork (a buffer of random bytes) would give parent and child the
    # same next key, and the server would then keep only one of two different jobs.
    random_uuid()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            os.write(write_end, random_uuid().encode())
        finally:
            os._exit(0)
    os.close(write_end)
    parent_next = random_uuid()
    with os.fdopen(read_end, "rb") as reader:
        child_next = reader.read().decode()
    os.waitpid(pid, 0)
    assert uuid.UUID(child_next).version == 4
    assert child_next != parent_next
