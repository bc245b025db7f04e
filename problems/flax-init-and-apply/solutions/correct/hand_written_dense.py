# A hand-written Dense: the same parameter names ("kernel", "bias"), shapes and
# initialisers as nn.Dense, so init draws exactly the same numbers.
import flax.linen as nn
import jax
import jax.numpy as jnp


class MyDense(nn.Module):
    features: int

    @nn.compact
    def __call__(self, x):
        kernel = self.param("kernel", nn.initializers.lecun_normal(), (x.shape[-1], self.features))
        bias = self.param("bias", nn.initializers.zeros_init(), (self.features,))
        return jnp.dot(x, kernel) + bias


class MLP(nn.Module):
    hidden: int
    out: int

    @nn.compact
    def __call__(self, x):
        h = jnp.maximum(MyDense(self.hidden, name="fc1")(x), 0.0)
        return MyDense(self.out, name="fc2")(h)


def init_and_apply(seed, x, hidden, out):
    model = MLP(hidden, out)
    variables = model.init(jax.random.PRNGKey(seed), x)
    return model.apply(variables, x), variables["params"]
