"""`ember.nn.parallel`: DistributedDataParallel over MPI (torch.nn.parallel)."""

from .distributed import DistributedDataParallel

__all__ = ["DistributedDataParallel"]
