"""Utilities for recurrent layers (being written)."""
