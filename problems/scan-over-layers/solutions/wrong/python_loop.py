# expect-status: failed
# expect-message: unrolled
# Right values, but the Python loop over the layers is unrolled into L copies under jit.
import jax.numpy as jnp


def scan_layers(params, x):
    ys = []
    for l in range(params["W"].shape[0]):
        x = jnp.tanh(x @ params["W"][l] + params["b"][l])
        ys.append(x)
    return x, jnp.stack(ys)
