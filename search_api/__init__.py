"""The FastAPI application: search, documents and the web page."""
