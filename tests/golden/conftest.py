from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.config import REPO_ROOT, GraderSettings
from grader.grade import Grader

PROBLEMS_DIR = REPO_ROOT / "problems"


def shared_data_dir(prefix: str) -> Iterator[Path]:
    """A data dir the sandbox's unprivileged children may traverse (0755, not pytest's 0700)."""
    base = Path(tempfile.mkdtemp(prefix=prefix))
    os.chmod(base, 0o755)
    yield base / "data"
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="package")
def real_grader() -> Iterator[Grader]:
    """One Grader with the real ZygoteRunner for every module of tests/golden: the zygote
    starts once and reference outputs are computed once; it closes when the package ends."""
    for data in shared_data_dir("jaxdojo-golden-"):
        settings = GraderSettings(data_dir=data, problems_dir=PROBLEMS_DIR)
        grader = Grader(settings)
        try:
            yield grader
        finally:
            grader.close()
