# expect-status: failed
# expect-message: unrolled
# A Python loop of L separately named Dense layers: other parameter names, other init
# keys, and L copies of the layer in the program.
import flax.linen as nn
import jax
import jax.numpy as jnp


class DeepResNet(nn.Module):
    num_layers: int
    features: int

    @nn.compact
    def __call__(self, x):
        kernels = []
        for l in range(self.num_layers):
            dense = nn.Dense(self.features, name=f"layer_{l}")
            x = x + nn.tanh(dense(x))
            kernels.append(dense.variables["params"]["kernel"])
        return {"y": x, "kernels": jnp.stack(kernels)}


def scan_layers_forward(seed, x, num_layers):
    model = DeepResNet(num_layers, x.shape[-1])
    return model.apply(model.init(jax.random.PRNGKey(seed), x), x)
