"""The functional forms of normalisation, embedding and padding (re-exported by
``minigrad.nn.functional``)."""

from __future__ import annotations

__all__: list[str] = []
