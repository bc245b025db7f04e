# nn.scan over a plain function whose first argument is the Block instance named
# "layers"; init_with_output returns the output of the init pass with the variables.
import flax.linen as nn
import jax


class Block(nn.Module):
    features: int

    @nn.compact
    def __call__(self, h, _):
        return h + nn.tanh(nn.Dense(self.features, name="dense")(h)), None


def _step(block, h, _):
    return block(h, None)


class DeepResNet(nn.Module):
    num_layers: int
    features: int

    @nn.compact
    def __call__(self, x):
        scan = nn.scan(
            _step,
            variable_axes={"params": 0},
            split_rngs={"params": True},
            length=self.num_layers,
        )
        h, _ = scan(Block(self.features, name="layers"), x, None)
        return h


def scan_layers_forward(seed, x, num_layers):
    y, variables = DeepResNet(num_layers, x.shape[-1]).init_with_output(jax.random.key(seed), x)
    return {"y": y, "kernels": variables["params"]["layers"]["dense"]["kernel"]}
