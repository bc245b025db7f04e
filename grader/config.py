"""Grader settings: every limit and path the grader uses lives here, once.

Values come from the environment (prefix ``JAXDOJO_``) and an optional ``.env``
file. The web app's settings embed these, so one environment configures both.
"""

from __future__ import annotations

import os
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

Backend = Literal["cpu", "gpu"]

REPO_ROOT = Path(__file__).resolve().parent.parent


def _default_data_dir() -> Path:
    return Path(os.environ.get("JAXDOJO_DATA_DIR", REPO_ROOT / ".data"))


class GraderLimits(BaseSettings):
    """Per-submission resource limits. A problem may lower ``wall_time_s``, never raise it
    above ``max_wall_time_s``."""

    model_config = SettingsConfigDict(env_prefix="JAXDOJO_LIMIT_", env_file=".env", extra="ignore")

    wall_time_s: float = Field(20.0, gt=0, description="wall clock for one whole run")
    max_wall_time_s: float = Field(60.0, gt=0)
    cpu_time_s: int = Field(40, gt=0, description="RLIMIT_CPU of the runner (all threads)")
    memory_mb: int = Field(2048, ge=256, description="cgroup memory cap of the runner")
    # RLIMIT_DATA is a second, coarser cap used where no memory cgroup exists. XLA needs
    # about 0.5 GiB of data segment on top of the zygote's inherited pages.
    data_mb: int = Field(4096, ge=1024)
    # JAX starts ~18-20 threads on 2 cores and more on bigger hosts; the runner also caps
    # XLA's thread pools, so this bounds thread storms without starving XLA.
    max_processes: int = Field(256, ge=32)
    max_file_mb: int = Field(16, ge=1)
    max_open_files: int = Field(256, ge=64)
    max_output_bytes: int = Field(32 * 1024 * 1024, ge=1024, description="arrays returned")
    max_stdout_bytes: int = Field(64 * 1024, ge=1024, description="stdout+stderr kept")
    max_source_bytes: int = Field(256 * 1024, ge=1024)


class GraderSettings(BaseSettings):
    """Where the grader finds problems and keeps caches, and how it isolates runs."""

    model_config = SettingsConfigDict(env_prefix="JAXDOJO_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default_factory=_default_data_dir)
    problems_dir: Path = REPO_ROOT / "problems"
    backend: Backend = "cpu"
    # Refuse to grade unless every isolation layer is active (production setting).
    require_full_isolation: bool = False
    # Halves XLA compile time for the small programs of this problem set; outputs stay
    # within tolerance (measured in shared/notes/grader-measurements.md, section 2).
    xla_fast_compile: bool = True
    # Children read a compilation cache that only trusted runs write.
    compilation_cache: bool = True
    # Workers start the sandbox and compute every reference output (and compile the
    # problems' known-correct solutions into the compilation cache) as soon as they
    # start, so the first submission of the day is as fast as the hundredth.
    warm_on_start: bool = True
    # Root of the per-run scratch directories. It must not be inside the data directory
    # (database, caches) because sandboxed children may traverse it; default: a
    # root-owned directory under the system temp dir.
    sandbox_dir: Path | None = None
    # Every sandboxed process runs as its own uid, leased from [base, base + count) for the
    # length of one run, so concurrent runs never share RLIMIT_NPROC or signal each other.
    # The range must be unused on the host; a run takes two (runner and executor).
    sandbox_uid_base: int = Field(640000, ge=1000)
    sandbox_uid_count: int = Field(64, ge=2)
    limits: GraderLimits = Field(default_factory=GraderLimits)

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"

    @property
    def reference_cache_dir(self) -> Path:
        return self.cache_dir / "references"

    @property
    def compilation_cache_dir(self) -> Path:
        return self.cache_dir / "xla"

    @property
    def sandbox_root(self) -> Path:
        if self.sandbox_dir is not None:
            return self.sandbox_dir
        return Path(tempfile.gettempdir()) / f"jaxdojo-sandbox-{os.getuid()}"


@lru_cache
def get_grader_settings() -> GraderSettings:
    return GraderSettings()
