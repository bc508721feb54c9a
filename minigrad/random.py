"""Seeded random number generators: one default per device, and :class:`Generator` objects.

``manual_seed(seed)`` makes every later draw reproducible, on the CPU and on
the GPU alike: each device gets its own generator, seeded from ``seed``.
A :class:`Generator` (``torch.Generator``) is an independent stream that a
random function uses instead of the default when given as ``generator=``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.backend import Device, as_device, get_backend

__all__ = [
    "manual_seed",
    "seed",
    "initial_seed",
    "default_generator",
    "get_rng_state",
    "set_rng_state",
    "Generator",
    "draws_from",
]

_seed: int | None = None
_seeds_by_type: dict[str, int] = {}  # a later seed for one device type ("cuda")
_generators: dict[Device, Any] = {}


def manual_seed(seed: int) -> None:
    """Seed the generators of all devices (``minigrad.manual_seed(0)`` as ``torch.manual_seed``)."""
    global _seed
    _seed = _check_seed(seed)
    _seeds_by_type.clear()
    _generators.clear()


def manual_seed_device_type(device_type: str, seed: int) -> None:
    """Seed the generators of every device of ``device_type`` only
    (``minigrad.cuda.manual_seed_all``); the others keep their streams."""
    _seeds_by_type[device_type] = _check_seed(seed)
    for dev in [d for d in _generators if d.type == device_type]:
        del _generators[dev]


def _check_seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"manual_seed: seed must be a non-negative int, got {seed!r}")
    return int(seed)


def seed() -> int:
    """Seed every generator from fresh OS entropy and return the seed used."""
    import secrets

    value = secrets.randbits(63)
    manual_seed(value)
    return value


def initial_seed() -> int | None:
    """The seed last given to :func:`manual_seed` (None while unseeded)."""
    return _seed


def default_generator(device: str | Device | None = None) -> Any:
    """The generator of ``device``, with NumPy ``Generator`` method names.

    Methods: ``random(size, dtype)``, ``standard_normal(size, dtype)``,
    ``integers(low, high, size, dtype)``, ``permutation(n)``.
    """
    dev = as_device(device)
    gen = _generators.get(dev)
    if gen is None:
        seed = _seeds_by_type.get(dev.type, _seed)
        gen = _generators[dev] = get_backend(dev).generator(seed, dev)
    return gen


#: ``torch.Generator().initial_seed()``: the seed of a new generator.
DEFAULT_GENERATOR_SEED = 67280421310721
_UINT64 = 1 << 64
# get_state() layout: seed, PCG64 state and increment, has_uint32 flag, cached uint32
_STATE_FIELDS = (("seed", 8), ("state", 16), ("inc", 16), ("has_uint32", 1), ("uinteger", 4))
_STATE_SIZE = sum(size for _, size in _STATE_FIELDS)


class Generator:
    """An independent, seedable random stream, as ``torch.Generator``.

    Pass it as ``generator=`` to :func:`minigrad.rand`, :func:`~minigrad.randn`,
    :func:`~minigrad.randint`, :func:`~minigrad.randperm`, :func:`~minigrad.normal`,
    :func:`~minigrad.bernoulli`, :func:`~minigrad.multinomial`, the ``*_like`` and
    in-place fills (``normal_``, ``uniform_``, ``bernoulli_``, ``exponential_``,
    ``random_``), a ``DataLoader``, ``random_split`` or a sampler; those draws then come
    from this stream and leave the global one (:func:`manual_seed`) untouched::

        g = minigrad.Generator().manual_seed(0)
        minigrad.randperm(5, generator=g)          # the same permutation every run

    The stream is NumPy's PCG64 on the host. A ``cuda`` generator draws on the
    host too and moves the numbers to the device, so its state is the same
    small byte tensor on every device.

    Args:
        device: the device whose tensors the generator fills (default ``'cpu'``).
    """

    def __init__(self, device: str | Device = "cpu") -> None:
        self.device = as_device(device)
        self.manual_seed(DEFAULT_GENERATOR_SEED)

    def manual_seed(self, seed: int) -> Generator:
        """Restart the stream from ``seed`` (any int; taken modulo 2**64); returns ``self``."""
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            raise TypeError(f"manual_seed expected an int seed, got {type(seed).__name__}")
        self._seed = int(seed) % _UINT64
        self._numpy = np.random.Generator(np.random.PCG64(self._seed))
        return self

    def seed(self) -> int:
        """Reseed from fresh OS entropy; returns the new seed."""
        import secrets

        return self.manual_seed(secrets.randbits(63))._seed

    def initial_seed(self) -> int:
        """The seed the stream was last started from."""
        return self._seed

    def get_state(self) -> Any:
        """The stream's state as a uint8 tensor, to give back to :meth:`set_state`."""
        return _pack_state(self._seed, self._numpy)

    def set_state(self, new_state: Any) -> Generator:
        """Restore a state returned by :meth:`get_state` (a uint8 tensor); returns ``self``."""
        self._seed, self._numpy = _unpack_state(new_state, "set_state")
        return self

    def _draws(self) -> Any:
        """This stream behind NumPy ``Generator`` method names, returning arrays on the device."""
        if self.device.type == "cpu":
            return self._numpy
        return _HostDrawsOnDevice(self._numpy, self.device)

    def __repr__(self) -> str:
        return f"<minigrad.Generator object on {self.device}>"


def _pack_state(seed: int, numpy_generator: np.random.Generator) -> Any:
    """``seed`` and a PCG64 generator's state as bytes (``_STATE_FIELDS``) in a uint8 tensor."""
    import minigrad

    bits = numpy_generator.bit_generator.state
    values = {
        "seed": seed,
        "state": bits["state"]["state"],
        "inc": bits["state"]["inc"],
        "has_uint32": bits["has_uint32"],
        "uinteger": bits["uinteger"],
    }
    raw = b"".join(int(values[name]).to_bytes(size, "little") for name, size in _STATE_FIELDS)
    return minigrad.from_numpy(np.frombuffer(raw, dtype=np.uint8).copy())


def _unpack_state(new_state: Any, caller: str) -> tuple[int, np.random.Generator]:
    """The seed and a PCG64 generator restored from a :func:`_pack_state` tensor."""
    from minigrad.tensor import Tensor

    if not isinstance(new_state, Tensor) or new_state.dtype != np.uint8:
        kind = getattr(new_state, "dtype", type(new_state).__name__)
        raise TypeError(f"{caller} expected a uint8 tensor from get_state(), got {kind}")
    raw = bytes(new_state.cpu().numpy().reshape(-1))
    if len(raw) != _STATE_SIZE:
        raise RuntimeError(
            f"{caller} expected a state of {_STATE_SIZE} bytes (from get_state()), got {len(raw)}"
        )
    values, offset = {}, 0
    for name, size in _STATE_FIELDS:
        values[name] = int.from_bytes(raw[offset : offset + size], "little")
        offset += size
    bits = np.random.PCG64()
    bits.state = {
        "bit_generator": "PCG64",
        "state": {"state": values["state"], "inc": values["inc"]},
        "has_uint32": values["has_uint32"],
        "uinteger": values["uinteger"],
    }
    return values["seed"], np.random.Generator(bits)


def get_rng_state() -> Any:
    """The CPU's default generator state as a uint8 tensor (``torch.get_rng_state``).

    It holds the whole PCG64 stream (state, increment, cached 32-bit draw) and the seed
    last given to :func:`manual_seed`, so ``set_rng_state(get_rng_state())`` replays the
    same CPU draws. The default generators of other devices are not part of it.
    """
    return _pack_state(_seed or 0, default_generator("cpu"))


def set_rng_state(new_state: Any) -> None:
    """Restore the CPU's default generator from :func:`get_rng_state`'s tensor
    (``torch.set_rng_state``); the later CPU draws repeat those made after that state.

    A state from :meth:`Generator.get_state` is accepted too (the same layout). The seed
    :func:`initial_seed` reports is left unchanged. Raises TypeError unless given a uint8
    tensor, RuntimeError when it has the wrong size.
    """
    _, numpy_generator = _unpack_state(new_state, "set_rng_state")
    _generators[as_device("cpu")] = numpy_generator


class _HostDrawsOnDevice:
    """A host NumPy generator whose draws are moved to ``device``."""

    def __init__(self, numpy_generator: np.random.Generator, device: Device) -> None:
        self._numpy = numpy_generator
        self._backend = get_backend(device)
        self._device = device

    def __getattr__(self, method: str) -> Any:
        draw = getattr(self._numpy, method)

        def on_device(*args: Any, **kwargs: Any) -> Any:
            return self._backend.from_host(np.asarray(draw(*args, **kwargs)), self._device)

        return on_device


def draws_from(generator: Generator | None, device: str | Device | None, caller: str) -> Any:
    """What ``caller`` draws from: ``generator``'s stream, or the default one of ``device``.

    The result has NumPy ``Generator`` method names (``random``, ``standard_normal``,
    ``integers``, ``permutation``) and returns arrays on ``device``.
    """
    dev = as_device(device)
    if generator is None:
        return default_generator(dev)
    if not isinstance(generator, Generator):
        raise TypeError(
            f"{caller}: generator must be a minigrad.Generator (e.g. "
            f"minigrad.Generator().manual_seed(0)), got {type(generator).__name__}"
        )
    if generator.device.type != dev.type:
        raise RuntimeError(
            f"{caller}: Expected a '{dev.type}' device type for generator but found "
            f"'{generator.device.type}'"
        )
    return generator._draws()
