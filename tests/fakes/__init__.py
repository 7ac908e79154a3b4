"""Local stand-ins for the services we cannot reach from tests (only the live Census API and
the public download sites): real HTTP servers on loopback with the real response shapes."""
