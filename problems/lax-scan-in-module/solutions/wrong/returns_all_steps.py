# expect-status: failed
# expect-message: shape
# Emits every carry and returns the stacked (T, H) history instead of c_T.
import flax.linen as nn
import jax
import jax.numpy as jnp


class LaxScanModule(nn.Module):
    hidden: int
    T: int

    @nn.compact
    def __call__(self, x):
        W = self.param("W", nn.initializers.lecun_normal(), (self.hidden, self.hidden))

        def body(c, _):
            c = jnp.tanh(c @ W)
            return c, c

        _, history = jax.lax.scan(body, jnp.tanh(x @ W), None, length=self.T)
        return history


def lax_scan_in_module(seed, x, hidden, T):
    model = LaxScanModule(hidden=hidden, T=T)
    return model.apply(model.init(jax.random.PRNGKey(seed), x), x)
