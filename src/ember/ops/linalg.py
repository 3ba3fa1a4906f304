"""(being written)"""

__all__: list = []


def linalg_exports() -> dict:
    """Functions that `ember.linalg` exposes (filled in as they are written)."""
    return {}
