"""Contract tests: openapi.yaml checked against the recorded captures and the servers."""
