"""ember.save / ember.load: exact round trips, torch checkpoints, hostile and broken files."""

import collections
import io
import json
import os
import pathlib
import pickle
import struct
import subprocess
import sys
import zipfile

import numpy as np
import pytest
import safetensors.numpy as st_np
import torch

import ember
from ember import nn
from ember import serialization as ser
from ember.serialization import SerializationError, UnsafeLoadError

DTYPES = [ember.bool, ember.uint8, ember.int8, ember.int16, ember.int32, ember.int64,
          ember.float16, ember.float32, ember.float64]
SHAPES = [(), (0,), (3, 0, 2), (5,), (2, 3), (2, 1, 4)]


def same(a, b, path="obj"):
    """Deep equality that also checks types, dtypes, shapes and key order."""
    assert type(a) is type(b), f"{path}: {type(a)} vs {type(b)}"
    if isinstance(a, ember.Tensor):
        assert a.dtype == b.dtype and a.shape == b.shape, path
        assert a.requires_grad == b.requires_grad, path
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy(), err_msg=path)
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape, path
        np.testing.assert_array_equal(a, b, err_msg=path)
    elif isinstance(a, dict):
        assert list(a) == list(b), path
        for k in a:
            assert type(k) is type(list(b)[list(a).index(k)]), path
            same(a[k], b[k], f"{path}[{k!r}]")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            same(x, y, f"{path}[{i}]")
    elif isinstance(a, float) and np.isnan(a):
        assert np.isnan(b), path
    else:
        assert a == b, path


def roundtrip(obj):
    buf = io.BytesIO()
    ember.save(obj, buf)
    buf.seek(0)
    return ember.load(buf)


def random_array(rng, shape, dtype):
    x = rng.standard_normal(shape) * 50
    if dtype == ember.bool:
        return x > 0
    return x.astype(dtype.np)


# ------------------------------------------------------------------------- ember round trips
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.name)
def test_roundtrip_every_dtype_and_shape(dtype, rng):
    ts = [ember.tensor(random_array(rng, s, dtype)) for s in SHAPES]
    big = ember.tensor(random_array(rng, (4, 6), dtype))
    ts += [big.T, big[::2, 1::3]]                    # non-contiguous views
    out = roundtrip(ts)
    same(ts, out)
    assert all(o._data.flags.writeable for o in out)


def test_roundtrip_float_specials_and_scalars():
    x = ember.tensor([np.nan, np.inf, -np.inf, -0.0, 1e-45, 3.4e38], dtype=ember.float32)
    obj = {"x": x, "nan": float("nan"), "inf": float("-inf"), "negzero": -0.0,
           "big": 2**80, "f": 0.1, "np": [np.float32(1.5), np.int64(-3), np.bool_(True),
                                           np.float16(0.1)],
           "dtype": ember.float16, "dev": ember.device("cpu"), "size": ember.Size([2, 3])}
    out = roundtrip(obj)
    same(obj, out)
    assert np.signbit(out["x"].numpy()[3]) and str(out["negzero"]) == "-0.0"
    assert out["np"][3].dtype == np.float16


def test_roundtrip_nested_containers():
    t = ember.arange(6.0).reshape(2, 3)
    obj = collections.OrderedDict([
        ("z", {3: [t, (t, None)], 1: "one", (1, "a"): True, None: 0, 2.5: False}),
        ("a", [[], (), {}, collections.OrderedDict(), [[[1]]]]),
        ("arr", np.arange(4, dtype=np.int16)),
        ("s", "ünïcode \"quoted\" . dotted.key"),
    ])
    out = roundtrip(obj)
    same(obj, out)
    assert list(out["z"]) == [3, 1, (1, "a"), None, 2.5]
    assert out["z"][3][0] is out["z"][3][1][0]         # one Tensor object stays one


def test_requires_grad_and_parameters():
    p = nn.Parameter(ember.ones(3))
    q = nn.Parameter(ember.zeros(2), requires_grad=False)
    g = ember.ones(2, requires_grad=True)
    out = roundtrip({"p": p, "q": q, "g": g, "h": g * 2})
    assert type(out["p"]) is nn.Parameter and out["p"].requires_grad
    assert type(out["q"]) is nn.Parameter and not out["q"].requires_grad
    assert type(out["g"]) is ember.Tensor and out["g"].requires_grad and out["g"].is_leaf
    assert out["h"].requires_grad and out["h"].grad_fn is None


def test_tied_weights_stored_once_and_shared(tmp_path):
    w = nn.Parameter(ember.randn(4, 3))
    path = tmp_path / "tied.safetensors"
    ember.save({"enc": w, "dec": w, "view": w.detach(), "other": w.detach().clone()}, path)
    assert sorted(st_np.load_file(path)) == ["enc", "other"]       # stored once
    out = ember.load(path)
    assert out["enc"] is out["dec"]
    assert out["view"]._data is out["enc"]._data                   # shares memory
    assert out["other"]._data is not out["enc"]._data
    with ember.no_grad():
        out["view"].add_(1)
    np.testing.assert_array_equal(out["enc"].detach().numpy(), w.detach().numpy() + 1)


def test_key_collisions_get_distinct_entries():
    a, b = ember.ones(2), ember.zeros(3)
    out = roundtrip({"a.b": a, "a": {"b": b}})
    same({"a.b": a, "a": {"b": b}}, out)


def test_model_state_dict_roundtrip(tmp_path, rng):
    m = nn.Sequential(nn.Linear(3, 5), nn.ReLU(), nn.Linear(5, 2))
    path = str(tmp_path / "model.safetensors")
    ember.save(m.state_dict(), path)
    m2 = nn.Sequential(nn.Linear(3, 5), nn.ReLU(), nn.Linear(5, 2))
    sd = ember.load(path)
    same(m.state_dict(), sd)
    m2.load_state_dict(sd)
    x = ember.tensor(rng.standard_normal((4, 3)).astype(np.float32))
    np.testing.assert_array_equal(m(x).detach().numpy(), m2(x).detach().numpy())


def test_optimizer_like_state_dict():
    sd = {"state": {0: {"step": ember.tensor(3.0), "exp_avg": ember.randn(2, 2),
                        "exp_avg_sq": ember.rand(2, 2)},
                    1: {"step": ember.tensor(3.0), "momentum_buffer": None}},
          "param_groups": [{"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0,
                            "amsgrad": False, "maximize": False, "foreach": None,
                            "params": [0, 1]}]}
    same(sd, roundtrip(sd))


def test_real_optimizer_state_dict():
    w = nn.Parameter(ember.randn(3, 2))
    opt = ember.optim.Adam([w], lr=0.1)
    (w * w).sum().backward()
    opt.step()
    sd = opt.state_dict()
    same(sd, roundtrip(sd))


def test_paths_and_file_objects(tmp_path):
    obj = {"w": ember.randn(3)}
    for f in (str(tmp_path / "a.st"), tmp_path / "b.st"):
        ember.save(obj, f)
        same(obj, ember.load(f))
    with open(tmp_path / "c.st", "wb") as fh:
        ember.save(obj, fh)
    with open(tmp_path / "c.st", "rb") as fh:
        same(obj, ember.load(fh))

    class Stream(io.RawIOBase):            # readable, not seekable
        def __init__(self, data):
            self.data = io.BytesIO(data)

        def readable(self):
            return True

        def readinto(self, b):
            return self.data.readinto(b)

    same(obj, ember.load(Stream((tmp_path / "c.st").read_bytes())))
    buf = io.BytesIO()                      # several objects in one stream, as with torch.save
    ember.save(obj, buf)
    ember.save([1, ember.ones(2)], buf)
    buf.seek(0)
    same(obj, ember.load(buf))
    same([1, ember.ones(2)], ember.load(buf))


def test_files_are_plain_safetensors(tmp_path):
    w = ember.randn(2, 3)
    ember.save({"layer": {"weight": w}, "step": 7}, tmp_path / "x.safetensors")
    flat = st_np.load_file(tmp_path / "x.safetensors")
    np.testing.assert_array_equal(flat["layer.weight"], w.numpy())
    # A safetensors file that ember did not write loads as a flat dict of tensors.
    st_np.save_file({"a": np.arange(3, dtype=np.int32), "b": np.ones((2, 2), np.float16)},
                    tmp_path / "foreign.safetensors")
    out = ember.load(tmp_path / "foreign.safetensors")
    assert sorted(out) == ["a", "b"] and out["b"].dtype == ember.float16
    np.testing.assert_array_equal(out["a"].numpy(), np.arange(3))


def test_save_errors(tmp_path):
    with pytest.raises(TypeError, match=r"obj\['m'\].*Sequential.*state_dict"):
        ember.save({"m": nn.Sequential()}, io.BytesIO())
    with pytest.raises(TypeError, match=r"obj\['a'\]\[1\].*set"):
        ember.save({"a": [1, {2}]}, io.BytesIO())
    with pytest.raises(TypeError, match="complex128"):
        ember.save(np.zeros(2, complex), io.BytesIO())
    with pytest.raises(TypeError, match="dict key"):
        ember.save({ember.ones(1): 1}, io.BytesIO())
    cyc = []
    cyc.append(cyc)
    with pytest.raises(ValueError, match="cycle"):
        ember.save(cyc, io.BytesIO())
    with pytest.raises(RuntimeError, match="does not exist"):
        ember.save({}, tmp_path / "missing" / "x.st")
    with pytest.raises(TypeError, match="path or a binary file"):
        ember.save({}, 3)


def test_map_location():
    obj = {"w": ember.ones(2)}
    for m in (None, "cpu", ember.device("cpu"), {"cuda:0": "cpu"}, lambda t, loc: t,
              lambda t, loc: None):
        buf = io.BytesIO()
        ember.save(obj, buf)
        buf.seek(0)
        same(obj, ember.load(buf, map_location=m))
    for m in ("cuda", ember.device("cuda", 0), {"cpu": "cuda:1"}, "tpu"):
        with pytest.raises(RuntimeError, match="CPU only"):
            ember.load(io.BytesIO(), map_location=m)
    with pytest.raises(TypeError, match="map_location"):
        ember.load(io.BytesIO(), map_location=3)
    with pytest.raises(RuntimeError, match="pickle_module"):
        ember.load(io.BytesIO(), "cpu", pickle)


# -------------------------------------------------------------------------- atomic writes
def test_crash_mid_write_keeps_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.safetensors"
    old = {"w": ember.arange(4.0)}
    ember.save(old, path)

    def half_write(arrays, filename, metadata=None):
        data = st_np.save(arrays, metadata=metadata)
        with open(filename, "wb") as fh:
            fh.write(data[: len(data) // 2])
        raise OSError("disk full")

    monkeypatch.setattr(ser.st_np, "save_file", half_write)
    with pytest.raises(OSError, match="disk full"):
        ember.save({"w": ember.zeros(1000)}, path)
    same(old, ember.load(path))
    assert os.listdir(tmp_path) == ["ckpt.safetensors"]       # the temporary file is gone


def test_killed_process_mid_write_keeps_previous_file(tmp_path):
    path = tmp_path / "ckpt.safetensors"
    old = {"w": ember.arange(4.0)}
    ember.save(old, path)
    code = f"""
import os, ember, safetensors.numpy as st_np
from ember import serialization as ser
def die(arrays, filename, metadata=None):
    data = st_np.save(arrays, metadata=metadata)
    with open(filename, "wb") as fh:
        fh.write(data[: len(data) // 2])
        fh.flush()
    os._exit(9)                       # no cleanup, as after a kill or a power cut
ser.st_np.save_file = die
ember.save({{"w": ember.zeros(1000)}}, {str(path)!r})
"""
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert r.returncode == 9, r.stderr.decode()
    same(old, ember.load(path))
    leftovers = [n for n in os.listdir(tmp_path) if n != "ckpt.safetensors"]
    assert len(leftovers) == 1 and leftovers[0].endswith(".tmp")


# ----------------------------------------------------------------------- broken files
def test_broken_files_name_the_file_and_the_problem(tmp_path):
    good = tmp_path / "good.st"
    ember.save({"w": ember.randn(10, 10), "n": 3}, good)
    data = good.read_bytes()
    cases = {
        "empty.st": (b"", "empty"),
        "text.txt": (b"hello, this is a text file\n" * 10, "not an ember or safetensors"),
        "random.bin": (np.random.default_rng(0).bytes(4096), "not an ember or safetensors"),
        "tiny.st": (b"abc", "only 3 bytes"),
        "cut_header.st": (data[:40], "truncated"),
        "cut_data.st": (data[:-7], "truncated"),
        "bad_json.st": (struct.pack("<Q", 6) + b"{nope}", "not valid JSON"),
        "not_object.st": (struct.pack("<Q", 2) + b"[]", "not a JSON object"),
    }
    for fname, (content, what) in cases.items():
        p = tmp_path / fname
        p.write_bytes(content)
        with pytest.raises(SerializationError, match=what) as e:
            ember.load(p)
        assert fname in str(e.value)
    for cut in range(0, len(data), 97):                 # every truncation is caught
        with pytest.raises(SerializationError):
            ember.load(io.BytesIO(data[:cut]))


def test_corrupted_header_and_tree(tmp_path):
    def write(header, payload=b""):
        raw = json.dumps(header).encode()
        return io.BytesIO(struct.pack("<Q", len(raw)) + raw + payload)

    with pytest.raises(SerializationError, match="dtype 'BF16'"):
        ember.load(write({"x": {"dtype": "BF16", "shape": [1], "data_offsets": [0, 2]}},
                         b"\0\0"))
    with pytest.raises(SerializationError, match="bad header entry"):
        ember.load(write({"x": {"dtype": "F32", "shape": [3], "data_offsets": [0, 4]}},
                         b"\0" * 4))
    with pytest.raises(SerializationError, match="duplicate"):
        ember.load(io.BytesIO(struct.pack("<Q", 15) + b'{"a":1, "a":2 }'))
    arr = {"x": np.ones(2, np.float32)}
    for tree in ('{"T": "missing", "o": 0}', '{"?": 1}', "[1", '{"dt": "complex"}'):
        buf = io.BytesIO(st_np.save(arr, {"ember.format": "1", "ember.tree": tree}))
        with pytest.raises(SerializationError, match="ember.tree"):
            ember.load(buf)
    buf = io.BytesIO(st_np.save(arr, {"ember.format": "99", "ember.tree": "1"}))
    with pytest.raises(SerializationError, match="format '99'"):
        ember.load(buf)


# ---------------------------------------------------------------------- torch checkpoints
def torch_model():
    torch.manual_seed(0)
    m = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.ReLU(), torch.nn.Linear(8, 4),
                            torch.nn.BatchNorm1d(4))
    m.train()
    m(torch.randn(16, 3))                     # moves running stats, num_batches_tracked = 1
    return m.eval()


def ember_model():
    return nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 4), nn.BatchNorm1d(4)).eval()


def assert_matches_torch(e, t, path="obj"):
    if isinstance(t, torch.Tensor):
        assert isinstance(e, ember.Tensor), path
        assert isinstance(e, nn.Parameter) == isinstance(t, torch.nn.Parameter), path
        assert e.requires_grad == t.requires_grad, path
        assert str(e.dtype).split(".")[1] == str(t.dtype).split(".")[1], path
        assert tuple(e.shape) == tuple(t.shape), path
        np.testing.assert_array_equal(e.detach().numpy(), t.detach().numpy(), err_msg=path)
    elif isinstance(t, dict):
        assert type(e) is type(t) and list(e) == list(t), path
        for k in t:
            assert_matches_torch(e[k], t[k], f"{path}[{k!r}]")
    elif isinstance(t, (list, tuple)):
        assert type(e) is type(t) and len(e) == len(t), path
        for i, (x, y) in enumerate(zip(e, t)):
            assert_matches_torch(x, y, f"{path}[{i}]")
    else:
        assert type(e) is type(t) and e == t, path


def tricky_torch_objects():
    base = torch.arange(24.0).reshape(4, 6)
    return {"transposed": base.t(), "row": base[2], "strided": base[::2, 1::2],
            "expanded": torch.arange(3.0).expand(2, 3), "base": base,
            "half": torch.randn(5).half(), "int8": torch.tensor([-128, 0, 127], dtype=torch.int8),
            "uint8": torch.tensor([0, 255], dtype=torch.uint8), "bool": torch.tensor([True, False]),
            "scalar": torch.tensor(2.5, dtype=torch.float64), "empty": torch.zeros(0, 3),
            "param": torch.nn.Parameter(torch.ones(2)), "grad": torch.ones(2, requires_grad=True),
            "meta": [1, 2.5, "s", None, True, (3, 4)], "dtype": torch.int64,
            "size": torch.Size([2, 3])}


@pytest.mark.parametrize("zipped", [True, False], ids=["zip", "legacy"])
def test_loads_torch_checkpoints(tmp_path, rng, zipped):
    tm = torch_model()
    sd = tm.state_dict()
    obj = {"model": sd, "extra": tricky_torch_objects()}
    path = tmp_path / "torch.pt"
    torch.save(obj, path, _use_new_zipfile_serialization=zipped)
    out = ember.load(path)
    expect = dict(obj["extra"])
    for k in ("dtype", "size"):              # ember's own stand-ins for torch's
        assert out["extra"].pop(k) == {"dtype": ember.int64, "size": ember.Size([2, 3])}[k]
        del expect[k]
    assert_matches_torch(out["extra"], expect)
    assert_matches_torch(out["model"], sd)
    assert out["model"]["3.num_batches_tracked"].dtype == ember.int64
    # storage views identical in the file come back sharing; a transposed copy keeps strides
    assert out["extra"]["transposed"]._data.strides == (4, 24)

    em = ember_model()
    em.load_state_dict(out["model"])
    x = rng.standard_normal((5, 3)).astype(np.float32)
    with torch.no_grad():
        want = tm(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(em(ember.tensor(x)).detach().numpy(), want, rtol=1e-6, atol=1e-6)


def test_torch_tied_weights_and_file_object():
    lin = torch.nn.Linear(3, 3)
    buf = io.BytesIO()
    torch.save({"a": lin.weight, "b": lin.weight, "c": lin.weight.detach()}, buf)
    buf.seek(0)
    out = ember.load(buf, map_location="cpu")
    assert out["a"] is out["b"] and isinstance(out["a"], nn.Parameter)
    assert out["c"]._data is out["a"]._data


def test_torch_optimizer_state_dict(tmp_path):
    # torch.optim.Adam(amsgrad=True).state_dict() after one step, built by hand because the
    # first torch optimizer step costs seconds of imports
    g = torch.randn(3, 2)
    sd = {"state": {0: {"step": torch.tensor(1.0), "exp_avg": 0.1 * g, "exp_avg_sq": g * g,
                        "max_exp_avg_sq": g * g}},
          "param_groups": [{"lr": 0.1, "betas": (0.9, 0.999), "eps": 1e-08, "weight_decay": 0,
                            "amsgrad": True, "maximize": False, "foreach": None,
                            "capturable": False, "differentiable": False, "fused": None,
                            "decoupled_weight_decay": False, "params": [0]}]}
    torch.save(sd, tmp_path / "opt.pt")
    assert_matches_torch(ember.load(tmp_path / "opt.pt", weights_only=False), sd)


def forged_torch_file(tmp_path, payload, zipped=True, name="evil.pt"):
    path = tmp_path / name
    if zipped:
        torch.save({"w": torch.ones(2)}, path)
        with zipfile.ZipFile(path) as z:
            records = {n: z.read(n) for n in z.namelist()}
        pkl = next(n for n in records if n.endswith("data.pkl"))
        records[pkl] = payload
        with zipfile.ZipFile(path, "w") as z:
            for n, b in records.items():
                z.writestr(n, b)
    else:
        path.write_bytes(b"".join(pickle.dumps(x, protocol=2) for x in
                                  (0x1950A86A20F9469CFC6C, 1001, {})) + payload)
    return path


class Exploit:
    def __init__(self, func, arg):
        self.func, self.arg = func, arg

    def __reduce__(self):
        return self.func, (self.arg,)


@pytest.mark.parametrize("zipped", [True, False], ids=["zip", "legacy"])
def test_malicious_pickle_runs_nothing(tmp_path, zipped):
    marker = tmp_path / "pwned"
    cmd = f"touch {marker}"
    payloads = {
        "posix.system": pickle.dumps({"w": Exploit(os.system, cmd)}, protocol=2),
        "builtins.exec": pickle.dumps(Exploit(exec, f"open({str(marker)!r}, 'w')"), protocol=4),
        "os.system": f"(S'{cmd}'\nios\nsystem\n.".encode(),                # INST opcode
        "subprocess.Popen": pickle.dumps(Exploit(subprocess.Popen, ["touch", str(marker)])),
    }
    for glob, payload in payloads.items():
        path = forged_torch_file(tmp_path, payload, zipped)
        with pytest.raises(UnsafeLoadError, match=glob.replace(".", r"\.")) as e:
            ember.load(path, weights_only=False)
        assert "evil.pt" in str(e.value) and "nothing from the file was executed" in str(e.value)
        assert isinstance(e.value, pickle.UnpicklingError)
        assert not marker.exists()


def test_forged_pickles_cannot_tamper(tmp_path):
    # BUILD on an allow-listed global (would mutate ember's dtype object) is refused.
    payload = b"\x80\x02ctorch\nfloat32\n}X\x02\x00\x00\x00npK\x01sb."
    with pytest.raises(SerializationError, match="refusing to set state"):
        ember.load(forged_torch_file(tmp_path, payload))
    assert ember.float32.np == np.float32
    # a tensor reading past its storage, and a missing storage record
    t = torch.save
    buf = io.BytesIO()
    t({"w": torch.ones(2)}, buf)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
        pkl = z.read(next(n for n in z.namelist() if n.endswith("data.pkl")))
    assert b"K\x02\x85" in pkl                                     # size (2,)
    with pytest.raises(SerializationError, match="past its storage"):
        ember.load(forged_torch_file(tmp_path, pkl.replace(b"K\x02\x85", b"K\x09\x85", 1)))
    with pytest.raises(SerializationError, match="data/7"):
        ember.load(forged_torch_file(tmp_path, pkl.replace(b"X\x01\x00\x00\x000", b"X\x01"
                                                           b"\x00\x00\x007", 1)))


def test_broken_torch_files(tmp_path):
    path = tmp_path / "t.pt"
    torch.save(torch_model().state_dict(), path)
    data = path.read_bytes()
    for cut in (10, len(data) // 2, len(data) - 30):
        (tmp_path / "cut.pt").write_bytes(data[:cut])
        with pytest.raises(SerializationError, match="cut.pt") as e:
            ember.load(tmp_path / "cut.pt")
        assert "truncated or corrupted" in str(e.value) or "not an ember" in str(e.value)
    torch.save(torch_model().state_dict(), path, _use_new_zipfile_serialization=False)
    data = path.read_bytes()
    for cut in (30, len(data) // 2, len(data) - 3):
        with pytest.raises(SerializationError, match="truncated or corrupted"):
            ember.load(io.BytesIO(data[:cut]))
    with zipfile.ZipFile(tmp_path / "other.zip", "w") as z:
        z.writestr("readme.txt", "hi")
    with pytest.raises(SerializationError, match="not a torch checkpoint"):
        ember.load(tmp_path / "other.zip")
    with pytest.raises(SerializationError, match="not a torch checkpoint"):
        ember.load(io.BytesIO(pickle.dumps(12345678901234567890, protocol=2)))


def test_torch_unsupported_dtype(tmp_path):
    torch.save({"b": torch.ones(2, dtype=torch.bfloat16)}, tmp_path / "bf.pt")
    with pytest.raises(SerializationError, match="torch.BFloat16Storage, and ember has no dtype"):
        ember.load(tmp_path / "bf.pt")


def test_load_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        ember.load(tmp_path / "nope.st")
    with pytest.raises(TypeError, match="path or a binary file"):
        ember.load(3)


def test_torch_reads_what_ember_writes(tmp_path):
    from safetensors.torch import load_file
    w = ember.randn(3, 4)
    ember.save({"w": w, "meta": {"step": 1}}, tmp_path / "e.safetensors")
    np.testing.assert_array_equal(load_file(tmp_path / "e.safetensors")["w"].numpy(), w.numpy())


def test_pathlike_object(tmp_path):
    class P:
        def __fspath__(self):
            return str(tmp_path / "p.st")

    ember.save([ember.ones(1)], P())
    same([ember.ones(1)], ember.load(pathlib.Path(P().__fspath__())))
