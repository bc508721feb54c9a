"""minigrad: a small, readable autograd framework on NumPy (CPU) or CuPy (GPU).

    import minigrad as mg
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    x.grad  # tensor([2., 4.])

The engine lives here; ``minigrad.nn`` and ``minigrad.optim`` build on it.
"""

import math

from numpy import dtype  # minigrad's dtypes are NumPy's: minigrad.dtype as torch.dtype

from minigrad import amp, autograd, backend, backends, cpu, cuda, dtypes, random
from minigrad._functional_index import *  # noqa: F403  (gather, einsum, ...)
from minigrad._functional_math import *  # noqa: F403  (sin, logsumexp, ...)
from minigrad._printing import set_printoptions
from minigrad.amp import (
    autocast,
    get_autocast_cpu_dtype,
    get_autocast_dtype,
    get_autocast_gpu_dtype,
    is_autocast_cache_enabled,
    is_autocast_enabled,
)
from minigrad.autograd import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from minigrad.backend import Device
from minigrad.backend import as_device as device
from minigrad.creation import (
    arange,
    as_tensor,
    bernoulli,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    get_default_device,
    is_tensor,
    linspace,
    logspace,
    multinomial,
    normal,
    numel,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    set_default_device,
    tensor,
    zeros,
    zeros_like,
)
from minigrad.dtypes import (
    bool_ as bool,  # noqa: A001  (minigrad.bool, as torch.bool)
)
from minigrad.dtypes import (
    can_cast,
    double,
    finfo,
    float16,
    float32,
    float64,
    get_default_dtype,
    half,
    iinfo,
    int8,
    int16,
    int32,
    int64,
    long,
    promote_types,
    result_type,
    set_default_dtype,
    short,
    uint8,
)
from minigrad.dtypes import float32 as float  # noqa: A001
from minigrad.dtypes import int32 as int  # noqa: A001
from minigrad.functional import *  # noqa: F403  (exp, cat, stack, where, ...)
from minigrad.gradcheck import GradcheckError, gradcheck, gradgradcheck, numerical_gradient
from minigrad.random import (
    Generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    seed,
    set_rng_state,
)
from minigrad.settings import (
    are_deterministic_algorithms_enabled,
    get_float32_matmul_precision,
    get_num_threads,
    set_float32_matmul_precision,
    set_num_threads,
    use_deterministic_algorithms,
)
from minigrad.size import Size
from minigrad.tensor import Tensor

__version__ = "0.1.0"


def _load_checkout_subpackages() -> None:
    """Make ``minigrad.nn`` and ``minigrad.optim`` importable from a clone that was not
    pip-installed: there ``nn/`` and ``optim/`` sit beside ``minigrad/`` (``setup.cfg``
    maps them into the package only when installed)."""
    import importlib.util
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    for name in ("nn", "optim"):
        qualified = f"minigrad.{name}"
        init = root / name / "__init__.py"
        if importlib.util.find_spec(qualified) is not None or not init.is_file():
            continue
        spec = importlib.util.spec_from_file_location(
            qualified, init, submodule_search_locations=[str(init.parent)]
        )
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load {qualified} from {init}: run `pip install -e .`")
        sys.modules[qualified] = module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)


_load_checkout_subpackages()

# Subpackages reachable after a plain ``import minigrad``, as in PyTorch; they
# build on the names above, so they come last.
# (mypy checks nn/ and optim/ as top-level packages: it cannot see them as minigrad's.)
from minigrad import (  # type: ignore[attr-defined]  # noqa: E402
    data,
    distributed,
    distributions,
    linalg,
    metrics,
    nn,
    optim,
    serialization,
    utils,
    viz,
)
from minigrad.legacy import tensor_types as _tensor_types  # noqa: E402
from minigrad.linalg import matrix_power  # noqa: E402
from minigrad.serialization import load, save  # noqa: E402

# PyTorch's legacy typed tensor classes: minigrad.FloatTensor([1, 2]), isinstance checks
_legacy_types = _tensor_types("cpu")
FloatTensor = _legacy_types["FloatTensor"]
DoubleTensor = _legacy_types["DoubleTensor"]
HalfTensor = _legacy_types["HalfTensor"]
LongTensor = _legacy_types["LongTensor"]
IntTensor = _legacy_types["IntTensor"]
ShortTensor = _legacy_types["ShortTensor"]
CharTensor = _legacy_types["CharTensor"]
ByteTensor = _legacy_types["ByteTensor"]
BoolTensor = _legacy_types["BoolTensor"]

inf, nan, pi, e = math.inf, math.nan, math.pi, math.e
