"""nn.DataParallel and nn.parallel.data_parallel vs torch's on a machine without a GPU: the
wrapper keeps the module, has no device_ids and forwards to the module."""

import numpy as np
import pytest
import torch

import ember
from harness import assert_close_tensor, check_error, module_pair, run_both, same_state


def _pair():
    tm, em = module_pair("Linear", 4, 3)
    return tm, em, torch.nn.DataParallel(tm), ember.nn.DataParallel(em)


def test_data_parallel_forward_backward_and_attributes(rng):
    tm, em, td, ed = _pair()
    assert ed.module is em and td.module is tm
    assert ed.device_ids == td.device_ids == []
    assert ember.nn.parallel.DataParallel is ember.nn.DataParallel
    assert repr(ed).replace("ember", "torch") == repr(td)
    run_both(td, ed, rng.standard_normal((5, 4)).astype(np.float32), rng)
    same_state(td, ed)
    assert list(ed.state_dict()) == ["module.weight", "module.bias"]


def test_data_parallel_ignores_device_ids_without_gpu(rng):
    tm, em = module_pair("Linear", 4, 3)
    td = torch.nn.DataParallel(tm, device_ids=[0, 1], output_device=1, dim=1)
    ed = ember.nn.DataParallel(em, device_ids=[0, 1], output_device=1, dim=1)
    assert ed.device_ids == td.device_ids == []
    assert hasattr(ed, "dim") == hasattr(td, "dim")
    run_both(td, ed, rng.standard_normal((2, 4)).astype(np.float32), rng)


def test_data_parallel_passes_args_and_kwargs():
    class TK(torch.nn.Module):
        def forward(self, x, y=1, *, z=2):
            return x * y + z

    class EK(ember.nn.Module):
        def forward(self, x, y=1, *, z=2):
            return x * y + z

    for args, kw in (((3,), {"z": 5}), ((), {"y": 3}), ((), {})):
        t = torch.nn.DataParallel(TK())(torch.ones(2), *args, **kw)
        e = ember.nn.DataParallel(EK())(ember.ones(2), *args, **kw)
        assert_close_tensor(e, t)


def test_data_parallel_trains_and_loads_state(rng):
    tm, em, td, ed = _pair()
    x = rng.standard_normal((6, 4)).astype(np.float32)
    y = rng.standard_normal((6, 3)).astype(np.float32)
    for lib, m in ((torch, td), (ember, ed)):
        opt = lib.optim.SGD(m.parameters(), lr=0.1)
        for _ in range(3):
            opt.zero_grad()
            lib.nn.functional.mse_loss(m(lib.tensor(x)), lib.tensor(y)).backward()
            opt.step()
    same_state(td, ed)
    fresh = ember.nn.DataParallel(ember.nn.Linear(4, 3))
    r = fresh.load_state_dict(ed.state_dict())
    assert not r.missing_keys and not r.unexpected_keys
    same_state(td, fresh)
    bare = ember.nn.Linear(4, 3)
    bare.load_state_dict(ed.module.state_dict())
    same_state(tm, bare)
    with pytest.raises(RuntimeError) as t_err:
        torch.nn.DataParallel(torch.nn.Linear(4, 3)).load_state_dict(tm.state_dict())
    with pytest.raises(RuntimeError) as e_err:
        ember.nn.DataParallel(ember.nn.Linear(4, 3)).load_state_dict(em.state_dict())
    for s in ('Missing key(s) in state_dict: "module.weight", "module.bias"',
              'Unexpected key(s) in state_dict: "weight", "bias"'):
        assert s in str(t_err.value) and s in str(e_err.value)


def test_data_parallel_function_needs_a_gpu():
    tm, em = module_pair("Linear", 2, 2)
    check_error(lambda x: ember.nn.parallel.data_parallel(em, x),
                lambda x: torch.nn.parallel.data_parallel(tm, x),
                np.ones((2, 2), np.float32), match=["device type could not be determined"])
