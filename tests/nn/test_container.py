"""Containers against torch: names after every list/dict operation, indexing, repr, errors."""

from collections import OrderedDict

import numpy as np
import pytest
import torch

import ember


def tagged(lib, n):
    """n distinct modules whose repr carries their tag, so reprs show order."""
    return [lib.nn.Flatten(i, -1) for i in range(n)]


def both(fn):
    return fn(torch), fn(ember)


def state(c):
    return repr(c).replace("torch.", "ember."), [n for n, _ in c.named_modules()], len(c)


SEQ_OPS = [
    lambda lib, s: s.append(lib.nn.Identity()),
    lambda lib, s: s.insert(1, lib.nn.Identity()),
    lambda lib, s: s.insert(-1, lib.nn.Identity()),
    lambda lib, s: s.insert(4, lib.nn.Identity()),
    lambda lib, s: s.extend(tagged(lib, 2)),
    lambda lib, s: s.pop(1),
    lambda lib, s: s.__delitem__(-1),
    lambda lib, s: s.__delitem__(slice(0, 2)),
    lambda lib, s: s.__setitem__(-2, lib.nn.Identity()),
    lambda lib, s: s.__iadd__(lib.nn.Sequential(lib.nn.Identity())),
    lambda lib, s: s.__imul__(2),
]


@pytest.mark.parametrize("op", SEQ_OPS)
def test_sequential_ops_match_torch(op):
    t, e = both(lambda lib: lib.nn.Sequential(*tagged(lib, 4)))
    op(torch, t)
    op(ember, e)
    assert state(e) == state(t)
    assert e._modules.keys() == t._modules.keys()
    for k, m in e._modules.items():           # the attribute mirror follows re-indexing
        assert getattr(e, k) is m
    assert not any(k.isdigit() and k not in e._modules for k in e.__dict__)


@pytest.mark.parametrize("get", [
    lambda s: s[0], lambda s: s[-1], lambda s: s[1:3], lambda s: s[::-1], lambda s: s + s,
    lambda s: s * 2, lambda s: 2 * s, lambda s: list(iter(s)), lambda s: len(s),
    lambda s: s[0:0],
])
def test_sequential_indexing(get):
    t, e = both(lambda lib: lib.nn.Sequential(*tagged(lib, 4)))
    rt, re_ = get(t), get(e)
    assert repr(re_) == repr(rt)


def test_sequential_ordered_dict_forward_and_errors(rng):
    t, e = both(lambda lib: lib.nn.Sequential(OrderedDict(
        flat=lib.nn.Flatten(), unflat=lib.nn.Unflatten(1, (3, 2)), ident=lib.nn.Identity())))
    assert repr(e) == repr(t)
    x = rng.standard_normal((2, 6, 1)).astype(np.float32)
    np.testing.assert_allclose(e(ember.tensor(x)).numpy(), t(torch.from_numpy(x)).numpy())
    assert e.flat is e[0]
    for bad in (lambda lib, s: s[3], lambda lib, s: s[-4], lambda lib, s: s + [1],
                lambda lib, s: s.insert(9, lib.nn.Identity()), lambda lib, s: s * 0,
                lambda lib, s: s["a"], lambda lib, s: s.insert(0, 3)):
        errs = []
        for lib, s in ((torch, t), (ember, e)):
            with pytest.raises(Exception) as ei:
                bad(lib, s)
            errs.append(ei.type)
        assert errs[0] is errs[1]


MLIST_OPS = [
    lambda lib, m: m.append(lib.nn.Identity()),
    lambda lib, m: m.extend(tagged(lib, 2)),
    lambda lib, m: m.insert(0, lib.nn.Identity()),
    lambda lib, m: m.insert(2, lib.nn.Identity()),
    lambda lib, m: m.__iadd__(tagged(lib, 1)),
    lambda lib, m: m.__delitem__(1),
    lambda lib, m: m.__delitem__(slice(1, None)),
    lambda lib, m: m.pop(-1),
    lambda lib, m: m.__setitem__(0, lib.nn.Identity()),
]


@pytest.mark.parametrize("op", MLIST_OPS)
def test_modulelist_ops_match_torch(op):
    t, e = both(lambda lib: lib.nn.ModuleList(tagged(lib, 3)))
    op(torch, t)
    op(ember, e)
    assert state(e) == state(t)
    for k, m in e._modules.items():
        assert getattr(e, k) is m


def test_modulelist_repr_compresses_repeats_and_indexing():
    for build in (lambda lib: lib.nn.ModuleList([lib.nn.Identity() for _ in range(3)]
                                                + tagged(lib, 2) + [lib.nn.Identity()] * 2),
                  lambda lib: lib.nn.ModuleList(),
                  lambda lib: lib.nn.Sequential(lib.nn.ModuleList([lib.nn.Flatten()] * 3))):
        t, e = both(build)
        assert repr(e) == repr(t)
    t, e = both(lambda lib: lib.nn.ModuleList(tagged(lib, 4)))
    assert repr(e[1:3]) == repr(t[1:3]) and repr(e[-1]) == repr(t[-1])
    assert repr(e + tagged(ember, 1)) == repr(t + tagged(torch, 1))
    with pytest.raises(IndexError):
        e[4]
    with pytest.raises(TypeError):
        e.extend(3)


def test_moduledict():
    def build(lib):
        d = lib.nn.ModuleDict({"b": lib.nn.Identity(), "a": lib.nn.Flatten()})
        d["c"] = lib.nn.Unflatten(0, (1, -1))
        d.update([("z", lib.nn.Identity())])
        d.update(OrderedDict(y=lib.nn.Identity()))
        del d["b"]
        popped = d.pop("z")
        return d, popped
    (t, tp), (e, ep) = both(build)
    assert state(e) == state(t) and repr(ep) == repr(tp)
    assert list(e.keys()) == list(t.keys()) and list(e) == list(t)
    assert [repr(v) for v in e.values()] == [repr(v) for v in t.values()]
    assert "a" in e and "b" not in e and e["a"] is e.a
    assert [k for k, _ in e.items()] == list(t.keys())
    e.clear()
    assert len(e) == 0 and not hasattr(e, "a")
    with pytest.raises(KeyError):
        del e["nope"]
    with pytest.raises(ValueError):
        e.update([("a", ember.nn.Identity(), 3)])


def test_parameterlist_and_dict_names_and_repr():
    def build(lib):
        pl = lib.nn.ParameterList([lib.nn.Parameter(lib.ones(2, 3)), lib.zeros(4)])
        pl.append(lib.ones(1, dtype=lib.float64))
        pl.extend([lib.nn.Parameter(lib.ones(2))])
        pd = lib.nn.ParameterDict({"w": lib.nn.Parameter(lib.ones(2)), "a": lib.zeros(3)})
        pd["b"] = lib.ones(1)
        pd.update([("c", lib.nn.Parameter(lib.ones(2, 2)))])
        m = lib.nn.Module()
        m.pl, m.pd = pl, pd
        return m
    t, e = both(build)
    assert [n for n, _ in e.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert list(e.state_dict()) == list(t.state_dict())
    assert repr(e) == repr(t).replace("torch.", "ember.")
    assert all(isinstance(p, ember.nn.Parameter) for p in e.pl)
    assert len(e.pl) == 4 and len(e.pd) == 4 and list(e.pd) == list(t.pd)
    assert e.pl[-1] is e.pl[3] and len(e.pl[1:3]) == 2
    assert e.pd.pop("a").shape == ember.Size([3]) and "a" not in e.pd
    t.pd.pop("a")
    assert list(e.pd.keys()) == list(t.pd.keys()) and e.pd.get("zz") is None
    with pytest.raises(RuntimeError):
        e.pl(1)
    with pytest.raises(TypeError):
        e.pd[1]
    with pytest.raises(KeyError):
        e.pd["zz"]
    with pytest.raises(IndexError):
        e.pl[7]
