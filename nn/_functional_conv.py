"""The functional forms of convolution and pooling (re-exported by ``minigrad.nn.functional``)."""

from __future__ import annotations

__all__: list[str] = []
