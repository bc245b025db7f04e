"""``jaxdojo problems new``: a complete problem folder that validates at once.

The scaffold is a small working problem (a running product with ``lax.scan``) whose front
matter shows every field with a comment, so an instructor edits a problem that already
passes ``jaxdojo problems validate`` (mutants included) instead of starting from a blank
page. Nothing here imports JAX.
"""

from __future__ import annotations

import keyword
from pathlib import Path

from grader.spec import SLUG_RE, TRACKS


class ScaffoldError(ValueError):
    """The folder cannot be made (bad slug, unknown track, folder exists)."""


def entry_point_for(slug: str) -> str:
    name = slug.replace("-", "_")
    if name[0].isdigit() or keyword.iskeyword(name):
        name = "solve_" + name
    return name


PROBLEM_MD = """\
---
# The problem's front matter: every field the grader reads (grader/spec.py is the full
# reference). Edit freely; `jaxdojo problems validate {slug}` checks it all.
title: "{title}"
difficulty: easy                  # easy | medium | hard
track: {track}                       # jax-core | scan | flax-linen | flax-nnx
order: 900                        # position within the track (smaller comes first)
prerequisites: []                 # slugs worth solving first (advice, never a lock)
requires: []                      # what it needs installed, e.g. [flax>=0.12]
tags: [lax.scan, carry]
summary: Multiply the elements of a sequence together as you go, with jax.lax.scan.
entry_point: {entry}
args:                             # the entry point's arguments, in order
  - name: x
    description: "float32 array of shape (T,)"
    # static: true                # for Python values the program's shape depends on
cases:                            # at least one visible (Run) and one hidden (Submit)
  - name: worked-example
    visible: true
    description: "the example of the statement"
    args:
      x: {{value: [2.0, 0.5, 3.0, 1.0], dtype: float32}}
  - name: random-8
    visible: true
    seed: 1                        # random arrays are drawn from the case seed
    args:
      x: {{shape: [8], dist: uniform, low: 0.5, high: 1.5}}
  - name: two-steps
    args:
      x: {{value: [4.0, -0.25], dtype: float32}}
  - name: random-64
    seed: 2
    args:
      x: {{shape: [64], dist: uniform, low: 0.9, high: 1.1}}
  - name: random-128
    seed: 3
    args:
      x: {{shape: [128], dist: uniform, low: 0.95, high: 1.05}}
# |got - expected| <= atol + rtol * |expected|, elementwise.
tolerance: {{rtol: 1.0e-5, atol: 1.0e-6}}
# tolerance_by_backend: {{gpu: {{rtol: 1.0e-3, atol: 1.0e-4}}}}   # TF32 matmuls on GPUs
dtype_policy: same_kind           # exact | same_kind (float32 vs float64 both float)
time_axes: {{output: 0}}            # output leaves that run along time: "step t" wording
# initialises_params: true        # the entry point builds its parameters from a seed
structure:
  uses: [scan]                    # a loop whose results reach the output
  not_unrolled: {{max_growth: 1.2}} # the program must not grow with T (cases differ in T)
  # forbid:
  #   - op: stablehlo.reduce_window
  #     message: "write the loop yourself with jax.lax.scan"
# checks:                         # judged on exported jax.grad / jax.vmap programs
#   grad: {{wrt: [x]}}
#   vmap_consistent: {{over: [x], size: 3}}
# time_limit_s: 20                # lower than the platform's limit
solution_after_attempts: 5        # submits before "show solution"
# mutants:                        # mistaken copies of the reference the cases miss
#   equivalent: {{"op@line:col": "why it computes the same thing"}}
hints:                            # shown one at a time, from gentle to the answer
  - "The carry is the product so far. What should it start at, so that the first output is x[0]?"
  - "Each step multiplies the carry by x_t and emits the new carry:
    `return carry * x_t, carry * x_t`."
  - "`_, ys = jax.lax.scan(lambda c, x_t: (c * x_t, c * x_t), jnp.ones((), x.dtype), x)`."
---

# {title}

*Why it matters.* Replace this paragraph: say what the idea is for, where a student
will meet it again, and what the exercise makes them practise.

## What to compute

Given $x \\in \\mathbb{{R}}^T$, return $y \\in \\mathbb{{R}}^T$ with

$$
y_t = \\prod_{{s=0}}^{{t}} x_s, \\qquad t = 0, \\dots, T-1.
$$

## Worked example

```python
{entry}(jnp.array([2.0, 0.5, 3.0, 1.0]))
# Array([2., 1., 3., 3.], dtype=float32)
```

## Pitfalls

- **Starting at zero.** A product that starts at `0` stays `0`.
- **Emitting the old carry** gives every value one step late.
- **Python loops** are unrolled under `jit`: the grader checks that your program does
  not grow with `T`.

## Your task

Implement `{entry}(x)` for a `float32` array `x` of shape `(T,)`, $T \\ge 1$, returning
the running product of shape `(T,)`, computed with `jax.lax.scan`.
"""

STARTER = '''\
import jax
import jax.numpy as jnp
from jax import lax


def {entry}(x: jax.Array) -> jax.Array:
    """Running product of a vector: out[t] = x[0] * ... * x[t]."""
    raise NotImplementedError("use lax.scan(step, init, x)")
'''

REFERENCE = '''\
"""Reference solution for {slug} (trusted: never shown to the sandbox)."""

import jax
import jax.numpy as jnp
from jax import lax


def {entry}(x: jax.Array) -> jax.Array:
    def step(product: jax.Array, x_t: jax.Array) -> tuple[jax.Array, jax.Array]:
        product = product * x_t
        return product, product

    _, ys = lax.scan(step, jnp.ones((), x.dtype), x)
    return ys
'''

CORRECT = """\
# A second correct solution: the first element as the initial carry.
import jax.numpy as jnp
from jax import lax


def {entry}(x):
    def step(product, x_t):
        return product * x_t, product * x_t

    last, ys = lax.scan(step, x[0], x[1:])
    return jnp.concatenate([x[:1], ys])
"""

WRONG = """\
# expect-status: failed
# expect-message: shifted by one step
# Emits the carry before the update: an exclusive product, every value one step late.
import jax.numpy as jnp
from jax import lax


def {entry}(x):
    def step(product, x_t):
        return product * x_t, product

    _, ys = lax.scan(step, jnp.ones((), x.dtype), x)
    return ys
"""


def scaffold(problems_dir: Path, slug: str, track: str = "scan", title: str | None = None) -> Path:
    """Write ``problems_dir/slug`` and return it.

    Raises:
        ScaffoldError: the slug is not lowercase-with-hyphens, the track is unknown, or
            the folder exists (nothing is overwritten).
    """
    if not SLUG_RE.match(slug) or len(slug) > 64:
        raise ScaffoldError(
            f"{slug!r} is not a slug: use lowercase letters, digits and single hyphens, "
            "e.g. running-product"
        )
    if track not in TRACKS:
        raise ScaffoldError(f"unknown track {track!r}; choose one of {', '.join(TRACKS)}")
    directory = problems_dir / slug
    if directory.exists():
        raise ScaffoldError(f"{directory} already exists; pick another slug or edit it")
    title = title or slug.replace("-", " ").capitalize()
    if '"' in title or "\n" in title:
        raise ScaffoldError("the title may not contain double quotes or newlines")
    values = {"slug": slug, "entry": entry_point_for(slug), "track": track, "title": title}
    files = {
        "problem.md": PROBLEM_MD,
        "starter.py": STARTER,
        "reference.py": REFERENCE,
        "solutions/correct/first_element_carry.py": CORRECT,
        "solutions/wrong/exclusive_product.py": WRONG,
    }
    (directory / "solutions" / "correct").mkdir(parents=True)
    (directory / "solutions" / "wrong").mkdir()
    for name, template in files.items():
        (directory / name).write_text(template.format(**values), "utf-8")
    return directory
