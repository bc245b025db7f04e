# expect-status: failed
# expect-message: mismatch
# Uses W @ c (column-vector habit), which is c @ W.T.
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
            lambda c, _: (jnp.tanh(W @ c), None), jnp.tanh(W @ x), None, length=self.T
        )
        return final


def lax_scan_in_module(seed, x, hidden, T):
    model = LaxScanModule(hidden=hidden, T=T)
    return model.apply(model.init(jax.random.PRNGKey(seed), x), x)
