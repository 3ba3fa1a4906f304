"""`ember.nn.init`: parameter initialisation (being written)."""
