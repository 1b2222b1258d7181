"""Server-rendered bilingual web pages."""
