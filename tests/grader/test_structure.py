"""Structural checks over jaxpr facts: uses, not_unrolled, vmap."""

import numpy as np

from grader.sandbox.protocol import JaxprFacts, RawStudentError
from grader.spec import ProblemSpec
from grader.structure import run_structure_checks, structure_probe_names


def spec_with(structure: dict, args=None) -> ProblemSpec:
    args = args or [{"name": "x"}]
    case_args = {a["name"]: {"shape": [4]} for a in args}
    return ProblemSpec.model_validate(
        {
            "title": "t" * 5,
            "difficulty": "easy",
            "entry_point": "f",
            "args": args,
            "cases": [
                {"name": "a", "visible": True, "args": case_args},
                {"name": "b", "args": case_args},
            ],
            "structure": structure,
        }
    )


def facts(eqns=5, prims=None, vmap=0, error=None):
    return JaxprFacts(eqn_count=eqns, primitives=prims or {}, vmap_calls=vmap, error=error)


NOT_UNROLLED = {"short": {"x": {"shape": [16]}}, "long": {"x": {"shape": [32]}}}
PROBE_ARGS = {"short": {"x": np.zeros(16)}, "long": {"x": np.zeros(32)}}


def test_probe_names():
    assert structure_probe_names(spec_with({})) == ()
    assert structure_probe_names(spec_with({"uses": ["scan"]})) == ("main",)
    assert structure_probe_names(spec_with({"not_unrolled": NOT_UNROLLED})) == ("short", "long")


def test_uses_scan_passes_and_fails():
    spec = spec_with({"uses": ["scan"]})
    [ok] = run_structure_checks(spec, {"main": facts(prims={"scan": 1, "add": 2})})
    assert ok.passed and ok.name == "uses_scan"
    [bad] = run_structure_checks(spec, {"main": facts(prims={"cumsum": 1, "jit": 1})})
    assert not bad.passed
    assert bad.message.startswith(
        "your jaxpr contains no `scan`: the loop must be computed by jax.lax.scan, "
        "not jnp.cumsum or a Python loop"
    )
    assert "(your code uses jnp.cumsum)" in bad.message


def test_not_unrolled_reports_sizes_from_probe_args():
    spec = spec_with({"uses": ["scan"], "not_unrolled": NOT_UNROLLED})
    checks = run_structure_checks(
        spec, {"short": facts(48, {"add": 16}), "long": facts(96, {"add": 32})}, PROBE_ARGS
    )
    by_name = {c.name: c for c in checks}
    assert [c.name for c in checks] == ["uses_scan", "not_unrolled"]
    assert by_name["not_unrolled"].message == (
        "your jaxpr has 48 equations at T=16 and 96 at T=32: the loop was unrolled in Python; "
        "use lax.scan"
    )
    assert not by_name["uses_scan"].passed


def test_not_unrolled_passes_when_size_is_constant():
    spec = spec_with({"not_unrolled": NOT_UNROLLED})
    [check] = run_structure_checks(spec, {"short": facts(7), "long": facts(7)}, PROBE_ARGS)
    assert check.passed and "not unrolled" in check.message


def test_not_unrolled_uses_static_scalar_name():
    args = [{"name": "seed", "static": True}, {"name": "T", "static": True}]
    spec = ProblemSpec.model_validate(
        {
            "title": "ttttt",
            "difficulty": "easy",
            "entry_point": "f",
            "args": args,
            "cases": [
                {"name": "a", "visible": True, "args": {"seed": 0, "T": 4}},
                {"name": "b", "args": {"seed": 1, "T": 4}},
            ],
            "structure": {
                "not_unrolled": {"short": {"seed": 0, "T": 8}, "long": {"seed": 0, "T": 16}}
            },
        }
    )
    [check] = run_structure_checks(
        spec,
        {"short": facts(40), "long": facts(80)},
        {"short": {"seed": 0, "T": 8}, "long": {"seed": 0, "T": 16}},
    )
    assert "at T=8 and 80 at T=16" in check.message and not check.passed


def test_vmap_check():
    spec = spec_with({"vmap": True})
    [ok] = run_structure_checks(spec, {"main": facts(vmap=1)})
    [bad] = run_structure_checks(spec, {"main": facts(vmap=0)})
    assert ok.passed and not bad.passed
    assert bad.message.startswith("batch with jax.vmap")


def test_probe_that_failed_to_trace_is_a_failed_check_with_translation():
    spec = spec_with({"not_unrolled": NOT_UNROLLED})
    err = RawStudentError(
        type="TracerBoolConversionError",
        message="Attempted boolean conversion of traced array with shape bool[].",
        lineno=6,
    )
    [check] = run_structure_checks(spec, {"short": facts(error=err), "long": facts()}, PROBE_ARGS)
    assert not check.passed
    assert "TracerBoolConversionError on line 6: Attempted boolean conversion" in check.message
    assert "lax.cond" in check.message


def test_redacted_probe_error_hides_student_text():
    spec = spec_with({"uses": ["scan"]})
    err = RawStudentError(type="ValueError", message="secret 1.2345", lineno=3)
    [check] = run_structure_checks(spec, {"main": facts(error=err)}, redact=True)
    assert "secret" not in check.message and "ValueError on line 3" in check.message


def test_missing_facts_fail_the_check():
    spec = spec_with({"uses": ["scan"]})
    [check] = run_structure_checks(spec, {})
    assert not check.passed and "not traced" in check.message


def test_not_unrolled_names_shapes_when_several_dimensions_grow():
    spec = spec_with({"not_unrolled": NOT_UNROLLED})
    probe_args = {"short": {"x": np.zeros((4, 8))}, "long": {"x": np.zeros((8, 16))}}
    [check] = run_structure_checks(spec, {"short": facts(30), "long": facts(90)}, probe_args)
    assert "30 equations at x shape (4, 8) and 90 at x shape (8, 16)" in check.message
