# expect-status: failed
# expect-message: shape
# length=num_layers - 1: one layer too few.
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
        Stack = nn.scan(Block, variable_axes={"params": 0}, split_rngs={"params": True}, length=self.num_layers - 1)
        h, _ = Stack(self.features, name="layers")(x, None)
        return h


def scan_layers_forward(seed, x, num_layers):
    model = DeepResNet(num_layers, x.shape[-1])
    variables = model.init(jax.random.PRNGKey(seed), x)
    return {"y": model.apply(variables, x), "kernels": variables["params"]["layers"]["dense"]["kernel"]}
