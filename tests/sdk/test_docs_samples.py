"""The shell samples of the signed operations in the generated reference.md, run against the
REST mock: the signature they compute with openssl must be the one the mock expects.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from support import REST_API_KEY, REST_SECRET_KEY
from support.docs import REST, SIGNED, read, sections

from generator.mock import RestMock

pytestmark = pytest.mark.timeout(180)


def test_shell_samples_sign_like_the_server_expects(rest_mock: RestMock, tmp_path: Path) -> None:
    bash, curl, openssl = shutil.which("bash"), shutil.which("curl"), shutil.which("openssl")
    assert bash and curl and openssl, "the shell samples need bash, curl and openssl"
    found = sections(read("reference.md"))
    base = REST["servers"][0]["url"]
    env = {**os.environ, "API_KEY": REST_API_KEY, "SECRET_KEY": REST_SECRET_KEY}
    for name in SIGNED:
        body = next(b for b in found[name] if "### HTTP Request" in b)
        sample = body.split("```shell\n", 1)[1].split("\n```", 1)[0]
        script = sample.replace(base, rest_mock.url) + " --silent --show-error --max-time 20"
        result = subprocess.run(
            [bash, "-c", script], capture_output=True, text=True, env=env, timeout=60, check=False
        )
        assert result.returncode == 0, (name, result.stderr)
        answer = json.loads(result.stdout)
        assert answer["error"] is None, (name, answer)
    requests = rest_mock.requests
    assert len(requests) == len(SIGNED)
    assert all(r.params.get("api_key") == REST_API_KEY and r.params.get("sign") for r in requests)
