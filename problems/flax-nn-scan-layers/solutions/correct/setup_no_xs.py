# setup()-style: the scanned stack is the attribute `layers`, and the step takes no
# per-step input at all (__call__(self, h) returns (h, None)); the stack is called with
# the carry only.
import flax.linen as nn
import jax
import jax.numpy as jnp


class Layer(nn.Module):
    features: int

    def setup(self):
        self.dense = nn.Dense(self.features)

    def __call__(self, h):
        return h + jnp.tanh(self.dense(h)), None


class Net(nn.Module):
    num_layers: int
    features: int

    def setup(self):
        self.layers = nn.scan(
            Layer,
            variable_axes={"params": 0},
            split_rngs={"params": True},
            length=self.num_layers,
        )(self.features)

    def __call__(self, x):
        h, _ = self.layers(x)
        return h


def scan_layers_forward(seed, x, num_layers):
    model = Net(num_layers, x.shape[-1])
    params = model.init(jax.random.PRNGKey(seed), x)["params"]
    return dict(y=model.apply({"params": params}, x), kernels=params["layers"]["dense"]["kernel"])
