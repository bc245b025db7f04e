"""The hostile suite reuses the sandbox fixtures (one real zygote runner per session)."""

from __future__ import annotations

from tests.sandbox.conftest import runner, sandbox_settings, sandbox_world

__all__ = ["runner", "sandbox_settings", "sandbox_world"]
