"""Settings, dictionaries and engine mappings: the bottom layer every other package may import."""

from config.settings import Settings, get_settings, reset_settings

__all__ = ["Settings", "get_settings", "reset_settings"]
