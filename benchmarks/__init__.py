"""Benchmarks of the GopherQueue SDK against raw HTTP clients (issue 7).

Run ``nox -s bench`` (or ``python -m benchmarks`` from the repository root); see
``benchmarks/__main__.py`` for the options and ``benchmarks/RESULTS.md`` for the latest figures.
Nothing here asserts on timings; the tests only check that ``--quick`` still runs.
"""
