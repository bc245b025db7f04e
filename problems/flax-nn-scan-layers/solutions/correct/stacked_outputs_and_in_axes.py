# Spelled-out axes (in_axes=0, out_axes=0) and a step that also emits each layer's output
# as ys; only the final carry is used.
import flax.linen as nn
import jax
import jax.numpy as jnp


class Block(nn.Module):
    features: int

    @nn.compact
    def __call__(self, h, _):
        h = h + jnp.tanh(nn.Dense(features=self.features, use_bias=True, name="dense")(h))
        return h, h


class DeepResNet(nn.Module):
    num_layers: int
    features: int

    @nn.compact
    def __call__(self, x):
        Stack = nn.scan(
            Block,
            variable_axes={"params": 0},
            variable_broadcast=False,
            split_rngs={"params": True},
            in_axes=0,
            out_axes=0,
            length=self.num_layers,
        )
        h, per_layer = Stack(self.features, name="layers")(x, None)
        return h


def scan_layers_forward(seed, x, num_layers):
    model = DeepResNet(num_layers=num_layers, features=x.shape[1])
    variables = model.init(jax.random.PRNGKey(seed), x)
    return {"y": model.apply(variables, x), "kernels": variables["params"]["layers"]["dense"]["kernel"]}
