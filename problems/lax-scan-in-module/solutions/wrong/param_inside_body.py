# expect-status: error
# expect-message: escaped its transform
# Creates W inside the lax.scan body: the parameter is a tracer that escapes the scan.
import flax.linen as nn
import jax
import jax.numpy as jnp


class LaxScanModule(nn.Module):
    hidden: int
    T: int

    @nn.compact
    def __call__(self, x):
        def body(carry, _):
            W = self.param("W", nn.initializers.lecun_normal(), (self.hidden, self.hidden))
            return jnp.tanh(carry @ W), None

        final, _ = jax.lax.scan(body, jnp.tanh(x), None, length=self.T + 1)
        return final


def lax_scan_in_module(seed, x, hidden, T):
    model = LaxScanModule(hidden=hidden, T=T)
    return model.apply(model.init(jax.random.PRNGKey(seed), x), x)
