"""The service through its HTTP app: TestClient, a real server on loopback, the CLI and the load tools."""
