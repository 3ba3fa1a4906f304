"""`ember.utils`: data loading and helpers, as torch.utils."""

from . import data as data
