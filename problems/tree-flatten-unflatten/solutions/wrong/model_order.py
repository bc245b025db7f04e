# expect-status: failed
# expect-message: mismatch
# Writes each layer's leaves in the order the model defines them (w, then b) instead of
# JAX's sorted-key order, and hard-codes that every layer is a {"w", "b"} dict.
import jax.numpy as jnp


def flatten_and_rebuild(params, flat):
    vector = jnp.concatenate(
        [jnp.concatenate([layer["w"].ravel(), layer["b"].ravel()]) for layer in params.values()]
    )
    rebuilt = {}
    offset = 0
    for name, layer in params.items():
        rebuilt[name] = {}
        for key in ("w", "b"):
            n = layer[key].size
            rebuilt[name][key] = flat[offset : offset + n].reshape(layer[key].shape)
            offset += n
    return vector, rebuilt
