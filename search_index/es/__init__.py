"""The Elasticsearch engine: pure request/response translation, index definition, the backend."""
