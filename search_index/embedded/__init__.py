"""The embedded engine: a tantivy index in the data dir, no server needed."""
