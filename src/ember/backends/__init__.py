"""`ember.backends`: the switches PyTorch programs set for reproducibility
(`torch.backends.cudnn.deterministic = True`, `.benchmark = False`) and the accelerator checks
they make. ember's CPU ops are deterministic already; the flags are accepted and kept."""

from types import SimpleNamespace

cudnn = SimpleNamespace(enabled=True, deterministic=False, benchmark=False, allow_tf32=True,
                        is_available=lambda: False)
mps = SimpleNamespace(is_available=lambda: False, is_built=lambda: False)
