"""Helpers for cohort page tests: launch one browser per person and post forms with CSRF."""

import re
from typing import Any

from flask import Flask

from tests.conftest import Launcher

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class Browser:
    """One person's browser: a test client holding one launch."""

    def __init__(self, app: Flask, platform: Any, user: str, profile: str = "") -> None:
        self.launcher = Launcher(app.test_client(), platform, profile)
        response = self.launcher.launch(user)
        assert response.status_code == 200, response.get_data(as_text=True)
        self.client = self.launcher.client

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.client.get(path, **kwargs)

    def token(self, path: str) -> str:
        match = TOKEN.search(self.get(path).get_data(as_text=True))
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def post(
        self,
        path: str,
        data: dict[str, Any] | None = None,
        form_page: str | None = None,
        **kwargs: Any,
    ) -> Any:
        """Post ``data`` with the CSRF token read from ``form_page`` (default: ``path``)."""
        body = {"csrf_token": self.token(form_page or path), **(data or {})}
        return self.client.post(path, data=body, **kwargs)
