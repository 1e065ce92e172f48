"""Storage: the only package that speaks SQL."""

from care_bot.storage.database import AlreadyRunning, Store

__all__ = ["AlreadyRunning", "Store"]
