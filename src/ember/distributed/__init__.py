"""`ember.distributed` (being written)."""
