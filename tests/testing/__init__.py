"""Tests of the embedded GopherQueue-compatible server (``gopherqueue.testing``)."""
