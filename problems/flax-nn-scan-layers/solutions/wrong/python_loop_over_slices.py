# expect-status: failed
# expect-message: unrolled
# Right parameters (initialised with nn.scan), but the forward pass is a Python loop over
# the L slices of the stacked kernels: unrolled under jit, one copy per layer.
import flax.linen as nn
import jax
import jax.numpy as jnp


class Block(nn.Module):
    features: int

    @nn.compact
    def __call__(self, h, _):
        return h + nn.tanh(nn.Dense(self.features, name="dense")(h)), None


class DeepResNet(nn.Module):
    num_layers: int
    features: int

    @nn.compact
    def __call__(self, x):
        Stack = nn.scan(
            Block, variable_axes={"params": 0}, split_rngs={"params": True}, length=self.num_layers
        )
        return Stack(self.features, name="layers")(x, None)[0]


def scan_layers_forward(seed, x, num_layers):
    model = DeepResNet(num_layers, x.shape[-1])
    dense = model.init(jax.random.PRNGKey(seed), x)["params"]["layers"]["dense"]
    h = x
    for l in range(num_layers):
        h = h + jnp.tanh(h @ dense["kernel"][l] + dense["bias"][l])
    return {"y": h, "kernels": dense["kernel"]}
