"""PyTorch's older names and start-of-script settings: the legacy typed tensor classes,
autograd.Variable, anomaly detection, the CUDA seed and cache functions, threads,
determinism, get_worker_info and the math constants."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from engine_helpers import host, on

import minigrad as mg
from minigrad.autograd import Variable


def test_typed_tensor_classes_make_and_recognise_tensors():
    x = mg.FloatTensor([1, 2])
    assert x.dtype == mg.float32 and x.tolist() == [1.0, 2.0]
    assert isinstance(x, mg.FloatTensor) and not isinstance(x, mg.DoubleTensor)
    assert mg.LongTensor(2, 3).shape == (2, 3) and mg.LongTensor(2, 3).dtype == mg.int64
    assert mg.ByteTensor().shape == (0,)
    assert mg.BoolTensor([True]).dtype == mg.bool
    assert mg.ones(2, dtype=mg.float64).type(mg.FloatTensor).dtype == mg.float32
    assert mg.ones(2).type() == "minigrad.FloatTensor" == mg.FloatTensor.type_name
    assert not isinstance(np.ones(2), mg.FloatTensor)
    assert mg.cuda.LongTensor.type_name == "minigrad.cuda.LongTensor"
    with pytest.raises(TypeError, match="integer sizes"):
        mg.FloatTensor(2, 2.5)


def test_cuda_typed_classes_check_the_device(device):
    t = mg.zeros(2, device=device)
    assert isinstance(t, mg.cuda.FloatTensor) == (device == "cuda")
    assert isinstance(t, mg.FloatTensor) == (device == "cpu")


def test_variable_is_a_detached_tensor():
    base = mg.ones(2, requires_grad=True) * 2
    v = Variable(base, requires_grad=True)
    assert v.is_leaf and v.requires_grad and isinstance(base, Variable)
    v.detach().add_(1)
    assert v.tolist() == [3.0, 3.0]  # shares memory with what it wraps
    with pytest.warns(UserWarning, match="volatile was removed"):
        Variable(mg.ones(1), volatile=True)
    with pytest.raises(TypeError, match="has to be a tensor"):
        Variable([1.0])


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # the NaN made on purpose
def test_detect_anomaly_names_the_node_that_made_a_nan(device):
    x = on(np.array([0.0, 1.0]), device)
    with pytest.warns(UserWarning, match="Anomaly Detection has been enabled"):
        with mg.autograd.detect_anomaly():
            with pytest.raises(RuntimeError, match="'SqrtBackward0' returned nan values"):
                (x.sqrt() * 0).sum().backward()
    (x.sqrt() * 0).sum().backward()  # off again: the NaN gradient is stored, as PyTorch
    assert np.isnan(host(x.grad)[0])


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")
def test_set_detect_anomaly_switches_now_and_restores_as_a_context():
    assert not mg.autograd.anomaly_mode.is_anomaly_enabled()
    with mg.autograd.set_detect_anomaly(True):
        assert mg.autograd.anomaly_mode.is_anomaly_enabled()
        with mg.autograd.set_detect_anomaly(True, check_nan=False):
            x = mg.tensor([0.0], requires_grad=True)
            (x.sqrt() * 0).sum().backward()  # NaN allowed: checking is off
    assert not mg.autograd.anomaly_mode.is_anomaly_enabled()

    @mg.autograd.detect_anomaly()
    def step(x):
        (x.sqrt() * 0).sum().backward()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        with pytest.raises(RuntimeError, match="SqrtBackward0"):
            step(mg.tensor([0.0], requires_grad=True))


def test_cuda_seed_reseeds_only_the_gpu_stream():
    mg.manual_seed(0)
    first = mg.randn(3).tolist()
    mg.manual_seed(0)
    mg.cuda.manual_seed_all(7)
    assert mg.randn(3).tolist() == first
    mg.cuda.empty_cache()
    mg.cuda.synchronize()
    with pytest.raises(ValueError, match="non-negative int"):
        mg.cuda.manual_seed(-1)


def test_threads_and_determinism_settings():
    before = mg.get_num_threads()
    assert before >= 1
    try:
        import threadpoolctl  # noqa: F401
    except ImportError:
        with pytest.warns(RuntimeWarning, match="threadpoolctl"):
            mg.set_num_threads(1)
    else:
        mg.set_num_threads(1)
        assert mg.get_num_threads() == 1
        mg.set_num_threads(before)
    with pytest.raises(RuntimeError, match="positive integer"):
        mg.set_num_threads(0)
    mg.use_deterministic_algorithms(True)
    assert mg.are_deterministic_algorithms_enabled()
    mg.use_deterministic_algorithms(False)
    assert not mg.are_deterministic_algorithms_enabled()


def test_worker_info_and_constants():
    assert mg.utils.data.get_worker_info() is None
    assert (mg.inf, mg.pi, mg.e) == (math.inf, math.pi, math.e) and math.isnan(mg.nan)
