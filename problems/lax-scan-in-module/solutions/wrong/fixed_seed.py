# expect-status: failed
# expect-message: mismatch
# Ignores the seed argument and always initialises with PRNGKey(0).
import flax.linen as nn
import jax
import jax.numpy as jnp


class LaxScanModule(nn.Module):
    hidden: int
    T: int

    @nn.compact
    def __call__(self, x):
        W = self.param("W", nn.initializers.lecun_normal(), (self.hidden, self.hidden))
        final, _ = jax.lax.scan(
            lambda c, _: (jnp.tanh(c @ W), None), jnp.tanh(x @ W), None, length=self.T
        )
        return final


def lax_scan_in_module(seed, x, hidden, T):
    model = LaxScanModule(hidden=hidden, T=T)
    return model.apply(model.init(jax.random.PRNGKey(0), x), x)
