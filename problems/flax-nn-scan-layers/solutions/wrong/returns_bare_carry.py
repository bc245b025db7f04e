# expect-status: error
# expect-message: tuple
# The scanned step returns the new activation alone, not the (carry, output) pair that
# nn.scan expects from every step.
import flax.linen as nn
import jax


class Block(nn.Module):
    features: int

    @nn.compact
    def __call__(self, h, _):
        return h + nn.tanh(nn.Dense(self.features, name="dense")(h))


class DeepResNet(nn.Module):
    num_layers: int
    features: int

    @nn.compact
    def __call__(self, x):
        Stack = nn.scan(
            Block, variable_axes={"params": 0}, split_rngs={"params": True}, length=self.num_layers
        )
        return Stack(self.features, name="layers")(x, None)


def scan_layers_forward(seed, x, num_layers):
    model = DeepResNet(num_layers, x.shape[-1])
    variables = model.init(jax.random.PRNGKey(seed), x)
    return {"y": model.apply(variables, x), "kernels": variables["params"]["layers"]["dense"]["kernel"]}
