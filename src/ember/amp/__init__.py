"""`ember.amp` (torch.amp): GradScaler and autocast, as on torch's CPU-only build."""

from . import autocast_mode, grad_scaler
from .autocast_mode import autocast, is_autocast_available
from .grad_scaler import GradScaler

__all__ = ["GradScaler", "autocast", "autocast_mode", "grad_scaler", "is_autocast_available"]
