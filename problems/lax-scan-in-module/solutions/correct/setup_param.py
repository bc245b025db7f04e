# Declares W in setup() and keeps the step count in the carry.
import flax.linen as nn
import jax
import jax.numpy as jnp
from jax import lax


class Recurrence(nn.Module):
    hidden: int
    T: int

    def setup(self):
        self.W = self.param("W", jax.nn.initializers.lecun_normal(), (self.hidden, self.hidden))

    def __call__(self, x):
        W = self.W

        def body(carry, _):
            c, k = carry
            return (jnp.tanh(jnp.dot(c, W)), k + 1), None

        (c_T, _), _ = lax.scan(body, (jnp.tanh(jnp.dot(x, W)), 0), None, length=self.T)
        return c_T


def lax_scan_in_module(seed, x, hidden, T):
    m = Recurrence(hidden, T)
    return m.apply(m.init(jax.random.PRNGKey(seed), x), x)
