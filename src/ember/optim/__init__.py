"""`ember.optim` (being written)."""
