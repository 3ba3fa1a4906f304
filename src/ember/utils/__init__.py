"""`ember.utils`: data loading and helpers, as torch.utils."""

from . import checkpoint as checkpoint
from . import data as data
