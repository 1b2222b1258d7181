"""Web page tests: server-side pages through TestClient, and a real browser (Playwright + chromium)."""
