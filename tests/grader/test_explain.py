"""Student errors are translated with hints; the messages come from real JAX and Flax runs.

The snippets run in this (test) process: they are our own code, written to provoke the
errors students cause, not student submissions.
"""

import traceback

import pytest

from grader.explain import explain_error, hint_for, one_line
from grader.sandbox.protocol import RawStudentError

FILENAME = "<submission>"


def raw_from(source: str, call: str, filename: str = FILENAME) -> RawStudentError:
    """Run ``source`` as if it were a submission, call ``call``, and capture the error."""
    namespace: dict = {}
    try:
        code = compile(source, filename, "exec")
        exec(code, namespace)
        eval(call, namespace)
    except Exception as exc:
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == filename]
        lineno = frames[-1].lineno if frames else getattr(exc, "lineno", None)
        return RawStudentError(type=type(exc).__name__, message=str(exc), lineno=lineno)
    raise AssertionError("the snippet did not raise")


def explain(source, call, **kw):
    return explain_error(raw_from(source, call), **kw)


def test_int_of_traced_value_suggests_static_argument():
    src = "import jax, jax.numpy as jnp\n\ndef f(x, n):\n    return jnp.zeros(int(n))\n"
    err = explain(src, "jax.jit(f)(jnp.ones(3), 4)", static_argnames=("n",))
    assert err.type == "ConcretizationTypeError"
    assert err.line == 4
    assert "static" in err.hint and "`n` is static" in err.hint


def test_python_if_on_traced_value_suggests_lax_cond():
    src = (
        "import jax, jax.numpy as jnp\n\n"
        "def f(x):\n    if x.sum() > 0:\n        return x\n    return -x\n"
    )
    err = explain(src, "jax.jit(f)(jnp.ones(3))")
    assert err.type == "TracerBoolConversionError"
    assert err.line == 4
    assert "lax.cond" in err.hint and "jnp.where" in err.hint


def test_range_of_traced_value():
    src = "import jax, jax.numpy as jnp\n\ndef f(n):\n    return list(range(n))\n"
    err = explain(src, "jax.jit(f)(3)")
    assert err.type == "TracerIntegerConversionError"
    assert "static" in err.hint


def test_traced_slice_bound():
    src = "import jax, jax.numpy as jnp\n\ndef f(x, n):\n    return x[:n]\n"
    err = explain(src, "jax.jit(f)(jnp.ones(3), 2)")
    assert "static" in err.hint


def test_scan_carry_dtype_mismatch():
    src = (
        "import jax.numpy as jnp\nfrom jax import lax\n\n"
        "def f(x):\n    def step(c, v):\n        return c + v, c\n"
        "    return lax.scan(step, jnp.int32(0), x)[1]\n"
    )
    err = explain(src, "f(jnp.ones(3))")
    assert err.hint.startswith("The carry you return from the step function must have the same")
    assert "int32[]" in err.hint and "float32[]" in err.hint
    assert "dtype" in err.hint


def test_scan_carry_shape_mismatch():
    src = (
        "import jax.numpy as jnp\nfrom jax import lax\n\n"
        "def f(x):\n    def step(c, v):\n        return jnp.stack([c, c]), c\n"
        "    return lax.scan(step, 0.0, x)[1]\n"
    )
    err = explain(src, "f(jnp.ones(3))")
    assert "same shape and dtype" in err.hint and "float32[2]" in err.hint


def test_scan_carry_structure_mismatch():
    src = (
        "import jax.numpy as jnp\nfrom jax import lax\n\n"
        "def f(x):\n    def step(c, v):\n        return (c,), c\n"
        "    return lax.scan(step, 0.0, x)[1]\n"
    )
    err = explain(src, "f(jnp.ones(3))")
    assert "structure" in err.hint


def test_vmap_of_lax_scan_itself():
    src = (
        "import jax, jax.numpy as jnp\nfrom jax import lax\n\n"
        "def f(xb):\n    return jax.vmap(lax.scan)(lambda c, x: (c + x, c + x), 0.0, xb)\n"
    )
    err = explain(src, "f(jnp.ones((2, 3)))")
    assert "vmap a function that calls lax.scan" in err.hint


def test_nnx_module_mutated_inside_scan_body():
    src = (
        "import jax.numpy as jnp\nfrom jax import lax\nfrom flax import nnx\n\n"
        "def f(x):\n    rngs = nnx.Rngs(0)\n"
        "    def step(c, v):\n        cell = nnx.Linear(4, 3, rngs=rngs)\n"
        "        return c + cell(v), c\n"
        "    return lax.scan(step, jnp.zeros(3), x)[1]\n"
    )
    err = explain(src, "f(jnp.ones((5, 4)))")
    assert err.type == "TraceContextError"
    assert "outside the step function" in err.hint and "nnx.scan" in err.hint


def test_linen_module_created_inside_scan_body():
    src = (
        "import jax, jax.numpy as jnp\nfrom jax import lax\nimport flax.linen as nn\n\n"
        "class M(nn.Module):\n    @nn.compact\n    def __call__(self, x):\n"
        "        def step(c, xt):\n            return nn.Dense(3)(c) + xt[:3], c\n"
        "        return lax.scan(step, jnp.zeros(3), x)\n\n"
        "def f(x):\n    m = M()\n    v = m.init(jax.random.PRNGKey(0), x)\n"
        "    return jax.jit(m.apply)(v, x)\n"
    )
    err = explain(src, "f(jnp.ones((5, 4)))")
    assert err.type == "UnexpectedTracerError"
    assert "Flax module" in err.hint


def test_nnx_rngs_from_traced_seed():
    src = (
        "import jax, jax.numpy as jnp\nfrom flax import nnx\n\n"
        "def f(seed, x):\n"
        "    cell = nnx.GRUCell(in_features=4, hidden_features=3, rngs=nnx.Rngs(seed))\n"
        "    return cell(jnp.zeros(3), x)[0]\n"
    )
    err = explain(src, "jax.jit(f)(0, jnp.ones(4))", static_argnames=("seed",))
    assert "seed" in err.hint and "static" in err.hint


def test_linen_nn_scan_without_broadcast_params():
    src = (
        "import jax, jax.numpy as jnp\nimport flax.linen as nn\n\n"
        "class Cell(nn.Module):\n    @nn.compact\n    def __call__(self, c, x):\n"
        "        return nn.Dense(3)(c), c\n\n"
        "def f(xs):\n"
        "    S = nn.scan(Cell, variable_broadcast='params', split_rngs={'params': False})\n"
        "    v = S().init(jax.random.PRNGKey(0), jnp.zeros(3), xs)\n"
        "    return nn.scan(Cell)().apply(v, jnp.zeros(3), xs)\n"
    )
    err = explain(src, "f(jnp.ones((5, 3)))")
    assert "variable_broadcast" in err.hint


def test_weights_in_wrong_orientation():
    src = "import jax.numpy as jnp\n\ndef f(W, h):\n    return h @ W\n"
    err = explain(src, "f(jnp.ones((16, 8)), jnp.ones(8))")
    assert err.line == 4
    assert "orientation of your weights" in err.hint


def test_broadcasting_error():
    src = "import jax.numpy as jnp\n\ndef f(a, b):\n    return a + b\n"
    err = explain(src, "f(jnp.ones((16, 8)), jnp.ones((8, 16)))")
    assert "orientation of your weights" in err.hint


def test_missing_import_of_jnp():
    src = "def f(x):\n    return jnp.cumsum(x)\n"
    err = explain(src, "f(1)")
    assert err.type == "NameError" and err.line == 2
    assert err.hint == "`jnp` is used but never imported: add `import jax.numpy as jnp` at the top."


def test_unknown_module():
    src = "import torch\n"
    err = explain(src, "None")
    assert "not available in the grader" in err.hint


def test_syntax_error_keeps_line():
    err = explain("def f(x)\n    return x\n", "None")
    assert err.type == "SyntaxError" and err.line == 1
    assert "syntax" in err.hint


def test_missing_entry_point_names_the_function():
    raw = RawStudentError(
        type="MissingEntryPoint",
        message="expected a function named `cumulative_sum` in your code; "
        "it defines cumsum, helper",
    )
    err = explain_error(raw, entry_point="cumulative_sum")
    assert "`cumulative_sum`" in err.hint
    assert "cumsum, helper" in err.message


def test_unrecognised_error_has_no_hint_and_keeps_message():
    err = explain_error(
        RawStudentError(type="ZeroDivisionError", message="division by zero", lineno=3)
    )
    assert err.hint is None and err.line == 3
    assert one_line(err) == "ZeroDivisionError on line 3: division by zero"


def test_long_messages_are_capped():
    err = explain_error(RawStudentError(type="ValueError", message="x" * 10_000))
    assert len(err.message) <= 2000


@pytest.mark.parametrize("name", ["jnp", "lax", "nnx", "nn"])
def test_every_common_alias_gets_its_import(name):
    hint = hint_for("NameError", f"name '{name}' is not defined")
    assert hint is not None and "import" in hint


def test_linen_param_created_in_scan_body_gets_line_from_message():
    src = (
        "import flax.linen as nn\nimport jax\nimport jax.numpy as jnp\n\n"
        "class M(nn.Module):\n    @nn.compact\n    def __call__(self, x):\n"
        "        def body(c, _):\n"
        "            W = self.param('W', nn.initializers.lecun_normal(), (3, 3))\n"
        "            return jnp.tanh(c @ W), None\n"
        "        return jax.lax.scan(body, x, None, length=4)[0]\n\n"
        "def f(x):\n    m = M()\n    return m.apply(m.init(jax.random.PRNGKey(0), x), x)\n"
    )
    raw = raw_from(src, "jax.jit(f)(jnp.ones(3))", filename="submission.py")
    assert raw.type == "UnexpectedTracerError"
    # the sandbox could not attribute the error to a student frame; the message does
    err = explain_error(RawStudentError(raw.type, raw.message, lineno=None))
    assert err.line == 9
    assert "Flax module" in err.hint and "outside the step function" in err.hint


def test_param_shape_from_scanned_params():
    src = (
        "import flax.linen as nn\nimport jax\nimport jax.numpy as jnp\n\n"
        "def f(x):\n    d = nn.Dense(3)\n"
        "    v = {'params': {'kernel': jnp.ones((5, 4, 3)), 'bias': jnp.ones((5, 3))}}\n"
        "    return d.apply(v, x)\n"
    )
    err = explain(src, "f(jnp.ones(4))")
    assert err.type == "ScopeParamShapeError"
    assert "variable_broadcast='params'" in err.hint


def test_nn_scan_over_plain_function():
    # the message flax 0.12 gives when nn.scan lifts a function instead of a Module class
    hint = hint_for("AttributeError", "DynamicJaxprTracer has no attribute _state")
    assert hint is not None and "Module class" in hint


def test_messages_name_the_students_function_not_the_graders_wrapper() -> None:
    from grader.explain import explain_error
    from grader.sandbox.protocol import RawStudentError

    raw = RawStudentError(
        "jax.errors.TracerBoolConversionError",
        "Attempted boolean conversion of traced array with shape bool[].\n"
        "The error occurred while tracing the function program at "
        "/srv/jaxdojo/grader/exporting.py:109 for jit. This concrete value was not "
        "available in Python because it depends on the value of the argument args['labels'].",
        lineno=7,
    )
    err = explain_error(raw, entry_point="masked_cross_entropy")
    assert "exporting.py" not in err.message and "args[" not in err.message
    assert "your function `masked_cross_entropy` for jit" in err.message
    assert "the argument `labels`." in err.message
