"""The accelerator checks PyTorch programs make, against a CPU-only torch."""

import pytest
import torch

import ember


def test_device_selection_idiom_picks_the_cpu():
    for lib in (torch, ember):
        device = "cuda" if lib.cuda.is_available() else "cpu"
        assert device == "cpu"
        assert lib.cuda.device_count() == 0
        lib.cuda.manual_seed(0)          # no-ops without a GPU, in both
        lib.cuda.manual_seed_all(0)
        x = lib.ones(2).to(device)
        assert x.cpu() is x


def test_reproducibility_switches_are_accepted():
    for lib in (torch, ember):
        lib.backends.cudnn.deterministic = True
        lib.backends.cudnn.benchmark = False
        assert lib.backends.mps.is_available() in (False,)


def test_asking_for_cuda_says_why():
    with pytest.raises(RuntimeError, match="CPU"):
        ember.ones(2).cuda()
    with pytest.raises(RuntimeError, match="is_available"):
        ember.cuda.current_device()
