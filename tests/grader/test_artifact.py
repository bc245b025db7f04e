"""The executor's checks on exported programs, in process (trusted code over real exports).

Artifacts are made with the runner's own export path (:mod:`grader.exporting`) or built
by hand with ``jax.export`` to stand for what a hostile runner could hand over.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax import export, lax

from grader import artifact, exporting
from grader.sandbox import codec

X8 = {"x": np.arange(8, dtype=np.float32)}


def scan_cumsum(x):
    return lax.scan(lambda c, v: (c + v, c + v), jnp.zeros((), x.dtype), x)[1]


def loop_cumsum(x):
    out, c = [], jnp.zeros((), x.dtype)
    for t in range(x.shape[0]):
        c = c + x[t]
        out.append(c)
    return jnp.stack(out)


def idle_scan(x):  # the right values, and a scan that does not matter
    return jnp.cumsum(x) + 0.0 * scan_cumsum(x)


def fori_cumsum(x):
    def body(t, ys):
        return ys.at[t].set(ys[t - 1] + x[t])

    return lax.fori_loop(1, x.shape[0], body, jnp.zeros_like(x).at[0].set(x[0]))


def make(fn: Any, inputs: dict[str, Any] = X8, static: dict[str, Any] | None = None) -> bytes:
    _, dynamic = codec.split_static(inputs, ())
    sig = codec.decode_signature(codec.signature(dynamic))
    return exporting.export_entry(fn, static or {}, sig, "cpu")


def prepared(fn: Any, inputs: dict[str, Any] = X8) -> tuple[artifact.Prepared, Any, Any]:
    prep = artifact.prepare(make(fn, inputs), inputs, "cpu")
    leaves, _ = artifact.flatten_inputs(inputs)
    return prep, leaves, prep.run(leaves)


def test_a_scan_is_one_loop_that_matters_and_computes_the_output() -> None:
    prep, leaves, out = prepared(scan_cumsum)
    np.testing.assert_allclose(out, np.cumsum(X8["x"]))
    assert prep.facts.loops == 1 and prep.facts.op_counts["stablehlo.while"] == 1
    assert artifact.loop_matters(prep, leaves, out, 1e-5, 1e-6) is True


def test_a_fori_loop_counts_as_a_loop_too() -> None:
    prep, leaves, out = prepared(fori_cumsum)
    np.testing.assert_allclose(out, np.cumsum(X8["x"]))
    assert prep.facts.loops >= 1
    assert artifact.loop_matters(prep, leaves, out, 1e-5, 1e-6) is True


def test_a_scan_multiplied_by_zero_does_not_matter() -> None:
    prep, leaves, out = prepared(idle_scan)
    np.testing.assert_allclose(out, np.cumsum(X8["x"]))
    assert prep.facts.loops == 1 and prep.facts.op_counts.get("stablehlo.reduce_window")
    assert artifact.loop_matters(prep, leaves, out, 1e-5, 1e-6) is False


def test_an_unrolled_loop_has_no_loop_and_grows_with_the_length() -> None:
    x16 = {"x": np.ones(16, np.float32)}
    short, _, _ = prepared(loop_cumsum)
    long, leaves, out = prepared(loop_cumsum, x16)
    assert short.facts.loops == 0 and long.facts.op_count > 1.5 * short.facts.op_count
    assert artifact.loop_matters(long, leaves, out, 1e-5, 1e-6) is None
    assert prepared(scan_cumsum, x16)[0].facts.op_count == prepared(scan_cumsum)[0].facts.op_count


def test_a_loop_inside_a_nested_jit_is_perturbed_through_the_call() -> None:
    prep, leaves, out = prepared(lambda x: 2.0 * jax.jit(scan_cumsum)(x))
    np.testing.assert_allclose(out, 2 * np.cumsum(X8["x"]))
    assert artifact.loop_matters(prep, leaves, out, 1e-5, 1e-6) is True


def test_a_program_for_another_platform_is_refused() -> None:
    sig = {"x": {"shape": [8], "dtype": "float32"}}
    data = exporting.export_entry(scan_cumsum, {}, sig, "cuda")
    with pytest.raises(artifact.ArtifactRefused, match="exported for"):
        artifact.prepare(data, X8, "cpu")


def test_a_program_for_another_signature_is_refused() -> None:
    data = make(scan_cumsum, {"x": np.ones(5, np.float32)})
    with pytest.raises(artifact.ArtifactRefused, match="shapes or dtypes"):
        artifact.prepare(data, X8, "cpu")
    other_tree = {"y": np.arange(8, dtype=np.float32)}
    with pytest.raises(artifact.ArtifactRefused, match="arguments"):
        artifact.prepare(make(lambda y: y, other_tree), X8, "cpu")


def test_host_callbacks_are_refused() -> None:
    def with_callback(args):
        x = args["x"]
        return jax.pure_callback(lambda v: np.asarray(v), jax.ShapeDtypeStruct(x.shape, x.dtype), x)

    spec = {"x": jax.ShapeDtypeStruct((8,), jnp.float32)}
    # An honest jax refuses to export it; a hostile runner can still hand over such a
    # module, so the executor must refuse one built with the callback's custom call.
    with pytest.raises(NotImplementedError, match="host_callbacks"):
        export.export(jax.jit(with_callback), platforms=["cpu"])(spec).serialize()
    text = jax.jit(with_callback).lower(spec).as_text()
    assert "callback" in text
    with pytest.raises(artifact.ArtifactRefused, match="custom call"):
        artifact.check_module_text(text, "cpu")


RECURSIVE = """
func.func public @main(%arg0: tensor<f32>) -> tensor<f32> {
  %0 = func.call @main(%arg0) : (tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}
"""

OUTFEED = (
    "func.func public @main(%arg0: tensor<f32>, %arg1: !stablehlo.token) -> !stablehlo.token {\n"
    '  %0 = "stablehlo.outfeed"(%arg0, %arg1) {outfeed_config = ""}'
    " : (tensor<f32>, !stablehlo.token) -> !stablehlo.token\n"
    "  return %0 : !stablehlo.token\n"
    "}\n"
)


def test_recursion_and_host_talk_are_refused() -> None:
    with pytest.raises(artifact.ArtifactRefused, match="recursive"):
        artifact.check_module_text(RECURSIVE, "cpu")
    with pytest.raises(artifact.ArtifactRefused, match="outfeed"):
        artifact.check_module_text(OUTFEED, "cpu")
    facts = artifact.check_module_text(jax.jit(scan_cumsum).lower(X8["x"]).as_text(), "cpu")
    assert facts.loops == 1


@pytest.mark.parametrize("garbage", [b"", b"\x00" * 64, b"not a flatbuffer" * 10])
def test_garbage_bytes_are_refused_not_raised(garbage: bytes) -> None:
    with pytest.raises(artifact.ArtifactRefused):
        artifact.prepare(garbage, X8, "cpu")


def test_lapack_custom_calls_of_the_orthogonal_initialiser_are_allowed() -> None:
    def init_qr(x):
        q = jax.nn.initializers.orthogonal()(jax.random.PRNGKey(0), (4, 4), jnp.float32)
        return x[:4] @ q

    prep, _, out = prepared(init_qr)
    assert out.shape == (4,)
    assert any(c.startswith("lapack_") for c in prep.facts.custom_calls)
