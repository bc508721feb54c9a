"""Probability distributions, as ``torch.distributions``: parameterised families with
``sample``, ``rsample`` (the reparameterisation trick), ``log_prob``, ``entropy``,
moments, and the KL divergence between two of them::

    from minigrad.distributions import Categorical, Normal, kl_divergence
    m = Categorical(probs)             # a policy's action distribution
    action = m.sample()
    loss = -m.log_prob(action) * reward
    q = Normal(mu, std)
    z = q.rsample()                    # differentiable in mu and std
    kl = kl_divergence(q, Normal(0.0, 1.0))

The math goes through minigrad tensor operations, so ``log_prob``, ``entropy``,
``rsample`` and ``kl_divergence`` are differentiable with respect to the parameters.
Sampling draws from minigrad's seeded generators (:func:`minigrad.manual_seed`) on the
parameters' device.
"""

from minigrad.distributions import constraints
from minigrad.distributions.bernoulli import Bernoulli
from minigrad.distributions.categorical import Categorical
from minigrad.distributions.distribution import Distribution
from minigrad.distributions.kl import kl_divergence, register_kl
from minigrad.distributions.normal import Normal
from minigrad.distributions.one_hot_categorical import OneHotCategorical
from minigrad.distributions.uniform import Uniform

__all__ = [
    "Bernoulli",
    "Categorical",
    "Distribution",
    "Normal",
    "OneHotCategorical",
    "Uniform",
    "constraints",
    "kl_divergence",
    "register_kl",
]
