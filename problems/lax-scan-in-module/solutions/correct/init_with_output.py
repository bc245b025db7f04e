# Uses init_with_output (the output of the init pass is the same), a typed key, and an
# einsum for the row-vector product.
import flax.linen as nn
import jax
import jax.numpy as jnp


class Model(nn.Module):
    hidden: int
    T: int

    @nn.compact
    def __call__(self, x):
        W = self.param("W", nn.initializers.lecun_normal(), (self.hidden, self.hidden))

        def step(c, _):
            return jnp.tanh(jnp.einsum("i,ij->j", c, W)), None

        c_T, _ = jax.lax.scan(step, jnp.tanh(jnp.einsum("i,ij->j", x, W)), None, length=self.T)
        return c_T


def lax_scan_in_module(seed, x, hidden, T):
    out, _variables = Model(hidden=hidden, T=T).init_with_output(jax.random.key(seed), x)
    return out
