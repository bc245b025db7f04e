"""The transformation checks through the REAL sandbox: the runner exports the jax.grad
and jax.vmap programs of the student's function, the executor runs them, and the
trusted side judges them (rnn-forward declares both checks)."""

from __future__ import annotations

import pytest

from grader.grade import Grader

pytestmark = pytest.mark.slow

SLUG = "rnn-forward"

# Right forward values everywhere; under jax.vmap a custom batching rule hands every
# example the first example's initial state. (Nothing a student would write by accident,
# but the one way to make a pure function disagree with itself under vmap.)
VMAP_LIES = """
import jax
import jax.numpy as jnp
from jax import lax


@jax.custom_batching.custom_vmap
def same(h):
    return h


@same.def_vmap
def _rule(axis_size, in_batched, h):
    return jnp.broadcast_to(h[:1], h.shape), in_batched[0]


def rnn_forward(params, h0, xs):
    def step(h, x_t):
        h = jnp.tanh(params["W_hh"] @ h + params["W_xh"] @ x_t + params["b"])
        return h, h

    return lax.scan(step, same(h0), xs)
"""


def checks(result):
    return {c.name: c for c in result.checks}


def test_reference_passes_both_checks(real_grader: Grader) -> None:
    reference = (real_grader.problem(SLUG).directory / "reference.py").read_text()
    result = real_grader.grade(SLUG, reference, "submit")
    assert result.status == "passed", result.summary
    assert checks(result)["grad"].passed and checks(result)["vmap_consistent"].passed


def test_a_function_that_disagrees_with_itself_under_vmap_fails(real_grader: Grader) -> None:
    result = real_grader.grade(SLUG, VMAP_LIES, "run")
    assert all(c.status == "passed" for c in result.cases), result.summary
    vmap = checks(result)["vmap_consistent"]
    assert not vmap.passed and "example 1 of the batch differs" in vmap.message
    assert result.status == "failed"


def test_hidden_derived_cases_stay_hidden(real_grader: Grader) -> None:
    result = real_grader.grade(SLUG, VMAP_LIES, "submit")
    names = [c.name for c in result.cases]
    assert not any(":" in name for name in names), "derived cases are checks, not cases"
    assert "vmap_consistent" in checks(result)
    assert not result.timings.keys() - {"spawn_ms", "runner_peak_memory_mb", "reference_ms"}
