"""Request samples for the docs and the CLI help: curl (with the signature computed by openssl),
Python and the generated CLI; and the signing rule in one sentence."""

from __future__ import annotations

import json
import re
import shlex
import textwrap
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from generator.model.ir import (
    Operation,
    RestApi,
    Signature,
    WsMethod,
)
from generator.outputs.common import Project, path_with, signed_location, wire_pairs
from generator.outputs.examples import wire_text

_ALGORITHMS = {
    "md5": "MD5",
    "sha1": "SHA-1",
    "sha256": "SHA-256",
    "sha512": "SHA-512",
    "hmac-sha256": "HMAC-SHA256 (key: the secret key)",
    "hmac-sha512": "HMAC-SHA512 (key: the secret key)",
}
_OUTPUTS = {"hex-upper": "upper-case hex", "hex-lower": "lower-case hex", "base64": "base64"}


def signature_rule(sig: Signature) -> str:
    """The signing rule in one sentence, from the spec's signature object."""
    rule = (
        f"{_OUTPUTS.get(sig.output, sig.output)} {_ALGORITHMS.get(sig.algorithm, sig.algorithm)} of "
        f"`{sig.payload}`"
    )
    if "{canonical}" not in sig.payload:
        return rule + "."
    order = "sorted by name" if sig.sort == "name" else "in the order sent"
    values = "raw (not URL-encoded) values" if sig.values == "raw" else "URL-encoded values"
    left_out = [f"`{n}`" for n in [sig.parameter, *sig.exclude] if n]
    which = "every request parameter" + (" except " + ", ".join(left_out) if left_out else "")
    if sig.key_parameter:
        which += f" (the key parameter `{sig.key_parameter}` included)"
    return (
        f"{rule}, where `{{canonical}}` is {which}, {order}, written `name{sig.pair}value` "
        f"with {values} and joined with `{sig.join}`."
    )


@dataclass(frozen=True)
class _Word:
    """A shell word made of literal text and `$VARIABLE` references."""

    parts: tuple[tuple[str, bool], ...]  # (text, is_variable)

    def render(self) -> str:
        if not any(is_var for _, is_var in self.parts):
            return shlex.quote("".join(text for text, _ in self.parts))
        out = []
        for text, is_var in self.parts:
            out.append("${" + text + "}" if is_var else re.sub(r'(["\\$`])', r"\\\1", text))
        return '"' + "".join(out) + '"'


def _word(*parts: str | tuple[str, bool]) -> _Word:
    return _Word(tuple(p if isinstance(p, tuple) else (p, False) for p in parts))


def _digest_command(sig: Signature) -> str:
    algorithm = sig.algorithm.removeprefix("hmac-")
    hmac = ' -hmac "$SECRET_KEY"' if sig.algorithm.startswith("hmac-") else ""
    encode = {
        "base64": "openssl base64 -A",
        "hex-upper": "od -An -v -tx1 | tr -d ' \\n' | tr a-f A-F",
    }.get(sig.output, "od -An -v -tx1 | tr -d ' \\n'")
    return f"openssl dgst -{algorithm}{hmac} -binary | {encode}"


def curl_sample(api: RestApi, op: Operation, args: dict[str, Any]) -> str:
    sig = api.signature if op.signed else None
    location = signed_location(op)
    query: list[tuple[str, _Word]] = [
        (p.name, _word(t)) for p, t in wire_pairs(op.params, args, ("query",))
    ]
    form: list[tuple[str, _Word]] = [
        (p.name, _word(t)) for p, t in wire_pairs(op.params, args, ("form", "multipart"))
    ]
    lines: list[str] = []
    if sig is not None:
        signed = form if location == "body" else query
        signed.append((sig.key_parameter, _word(("API_KEY", True))))
        items = [(name, word) for name, word in signed if name not in {sig.parameter, *sig.exclude}]
        if sig.sort == "name":
            items.sort(key=lambda item: item[0])
        canonical: list[tuple[str, bool]] = []
        for i, (name, word) in enumerate(items):
            if i:
                canonical.append((sig.join, False))
            encoded = sig.values == "urlencoded"
            canonical.append((quote(name, safe="") if encoded else name, False))
            canonical.append((sig.pair, False))
            canonical.extend(
                (quote(t, safe="") if encoded and not v else t, v) for t, v in word.parts
            )
        payload: list[tuple[str, bool]] = []
        for piece in re.split(r"(\{canonical\}|\{api_key\}|\{secret_key\})", sig.payload):
            if piece == "{canonical}":
                payload.extend(canonical)
            elif piece == "{api_key}":
                payload.append(("API_KEY", True))
            elif piece == "{secret_key}":
                payload.append(("SECRET_KEY", True))
            elif piece:
                payload.append((piece, False))
        lines += [
            "# export API_KEY=... SECRET_KEY=...",
            *textwrap.wrap(
                f"{sig.parameter} = {signature_rule(sig)}",
                96,
                initial_indent="# ",
                subsequent_indent="#   ",
                break_on_hyphens=False,
                break_long_words=False,
            ),
            f"SIGN=$(printf '%s' {_Word(tuple(payload)).render()} | {_digest_command(sig)})",
        ]
        signed.append((sig.parameter, _word(("SIGN", True))))
    url = api.base_url + path_with(op, args, "{value}")
    headers = [
        f"-H {_word(f'{p.name}: {t}').render()}"
        for p, t in wire_pairs(op.params, args, ("header",))
    ]
    if op.auth:
        scheme = api.auth_schemes[op.auth[0]]
        if scheme.type == "bearer":
            headers.append('-H "Authorization: Bearer $API_KEY"')
        elif scheme.type == "basic":
            headers.append('-u "$API_KEY:$SECRET_KEY"')
        elif scheme.location == "header":
            headers.append(f'-H "{scheme.param_name}: $API_KEY"')
        elif scheme.location == "query":
            query.append((scheme.param_name, _word(("API_KEY", True))))
    data_args = [
        f"--data-urlencode {_Word(((name + '=', False), *word.parts)).render()}"
        for name, word in form
    ]
    if op.body_kind in ("json", "body"):
        value = (
            {p.name: args.get(p.name) for p in op.params if p.location == "json"}
            if op.body_kind == "json"
            else args.get("body")
        )
        headers.append(
            f"-H {shlex.quote('Content-Type: ' + (op.body_media_type or 'application/json'))}"
        )
        data_args = [
            f"--data {shlex.quote(json.dumps(value, separators=(',', ':'), ensure_ascii=False))}"
        ]
    query_args = [
        f"--data-urlencode {_Word(((name + '=', False), *word.parts)).render()}"
        for name, word in query
    ]
    if op.http_method == "GET" and not data_args:
        command = [f"curl -G {shlex.quote(url)}", *headers, *query_args]
    else:
        if query:
            parts: list[tuple[str, bool]] = [(url + "?", False)]
            for i, (name, word) in enumerate(query):
                parts.append((("&" if i else "") + quote(name, safe="") + "=", False))
                parts.extend((quote(t, safe="") if not v else t, v) for t, v in word.parts)
            target = _Word(tuple(parts)).render()
        else:
            target = shlex.quote(url)
        command = [f"curl -X {op.http_method} {target}", *headers, *data_args]
    lines.append(" \\\n  ".join(command))
    return "\n".join(lines)


def _py_literal(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_py_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{"
            + ", ".join(f"{_py_literal(str(k))}: {_py_literal(v)}" for k, v in value.items())
            + "}"
        )
    return repr(value)


def python_rest_sample(project: Project, op: Operation, args: dict[str, Any]) -> str:
    package = project.package
    keys = 'api_key="YOUR_API_KEY", secret_key="YOUR_SECRET_KEY"' if (op.signed or op.auth) else ""
    call = ", ".join(
        f"{p.py_name}={_py_literal(args.get(p.name))}"
        for p in op.params
        if p.required or args.get(p.name) is not None
    )
    return "\n".join(
        [
            f"import {package}",
            "",
            f"with {package}.Client({keys}) as client:",
            f"    result = client.{op.py_name}({call})",
            "print(result)",
        ]
    )


def cli_words(value: Any) -> list[str]:
    """Shell words for one CLI option value: arrays as several words, objects as JSON text."""
    if isinstance(value, list) and value and all(not isinstance(v, (list, dict)) for v in value):
        return [shlex.quote(wire_text(v)) for v in value]
    return [shlex.quote(wire_text(value))]


def cli_rest_sample(project: Project, op: Operation, args: dict[str, Any]) -> str:
    words = [project.package, op.method_name]
    for p in op.params:
        if p.required or args.get(p.name) is not None:
            words += [f"--{p.name}", *cli_words(args.get(p.name))]
    command = " ".join(words)
    if op.signed or op.auth:
        env = project.package.upper()
        return f"export {env}_API_KEY=... {env}_SECRET_KEY=...\n{command}"
    return command


def _ws_call_args(args: tuple[Any, ...]) -> str:
    return ", ".join(_py_literal(a) for a in args)


def python_ws_sample(project: Project, m: WsMethod, args: tuple[Any, ...]) -> str:
    package = project.package
    keys = 'api_key="YOUR_API_KEY", secret_key="YOUR_SECRET_KEY"' if m.private else ""
    lines = [
        "import asyncio",
        "",
        f"import {package}",
        "",
        "",
        "async def main() -> None:",
        f"    async with {package}.WebSocketClient({keys}) as ws:",
    ]
    if m.kind == "subscribe":
        lines += [
            f"        async for push in ws.{m.py_name}({_ws_call_args(args)}):",
            "            print(push)",
        ]
    else:
        lines += [f"        print(await ws.{m.py_name}({_ws_call_args(args)}))"]
    lines += ["", "", "asyncio.run(main())"]
    return "\n".join(lines)


def cli_ws_sample(project: Project, m: WsMethod, args: tuple[Any, ...]) -> str:
    words = [project.package, "ws", m.name] + [w for a in args for w in cli_words(a)]
    if m.kind == "subscribe":
        words += ["--count", "10"]
    command = " ".join(words)
    if m.private:
        env = project.package.upper()
        return f"export {env}_API_KEY=... {env}_SECRET_KEY=...\n{command}"
    return command
