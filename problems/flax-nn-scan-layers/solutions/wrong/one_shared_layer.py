# expect-status: failed
# expect-message: shape
# variable_broadcast="params" (the RNN recipe): ONE layer applied L times, not L layers.
import flax.linen as nn
import jax


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
        Stack = nn.scan(Block, variable_broadcast="params", split_rngs={"params": False}, length=self.num_layers)
        h, _ = Stack(self.features, name="layers")(x, None)
        return h


def scan_layers_forward(seed, x, num_layers):
    model = DeepResNet(num_layers, x.shape[-1])
    variables = model.init(jax.random.PRNGKey(seed), x)
    return {"y": model.apply(variables, x), "kernels": variables["params"]["layers"]["dense"]["kernel"]}
