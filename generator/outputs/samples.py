"""Request samples for the docs and the CLI help: curl (with the signature computed by openssl),
Python and the generated CLI; and the signing rule in one sentence."""

from __future__ import annotations

import json
import re
import shlex
import textwrap
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, quote_plus, urlsplit

from generator.model.ir import (
    Operation,
    RestApi,
    Signature,
    WsMethod,
)
from generator.outputs.common import Project, path_with, signed_location, wire_pairs
from generator.outputs.examples import wire_text
from generator.runtime._signing import placeholders

_OUTPUTS = {"hex-upper": "upper-case hex", "hex-lower": "lower-case hex", "base64": "base64"}
_HASHES = {
    "md5": "MD5",
    "sha1": "SHA-1",
    "sha256": "SHA-256",
    "sha384": "SHA-384",
    "sha512": "SHA-512",
}
# Shell variables of the samples: credentials, clock values, the signature.
_SHELL = {
    "api_key": "API_KEY",
    "secret_key": "SECRET_KEY",
    "passphrase": "PASSPHRASE",
    "timestamp": "TIMESTAMP",
    "nonce": "NONCE",
    "signature": "SIGN",
}
_CLOCK = {
    "ms": "$(date +%s%3N)",
    "s": "$(date +%s)",
    "us": "$(date +%s%6N)",
    "iso8601": "$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)",
}


def _algorithm(algorithm: str, secret: str) -> str:
    if not algorithm.startswith("hmac-"):
        return _HASHES.get(algorithm, algorithm)
    key = "the secret key, base64-decoded" if secret == "base64" else "the secret key"
    name = _HASHES.get(algorithm[5:], algorithm[5:]).replace("-", "")
    return f"HMAC-{name} (key: {key})"


def _signature_target(sig: Signature) -> str:
    """Where the signature travels: its parameter or header name."""
    for name, template in (*sig.sent_parameters, *sig.headers):
        if "signature" in placeholders(template):
            return name
    return "signature"


def signature_rule(sig: Signature) -> str:
    """The signing rule in one sentence."""
    text = f"{_OUTPUTS.get(sig.output, sig.output)} {_algorithm(sig.algorithm, sig.secret)} of `{sig.payload}`"
    digests = [
        f"`{{{d.name}}}` is the {'raw' if d.output == 'raw' else _OUTPUTS.get(d.output, d.output)} "
        f"{_algorithm(d.algorithm, d.secret)} of `{d.payload}`"
        for d in sig.digests
    ]
    if "canonical" in sig.uses:
        order = "sorted by name" if sig.sort == "name" else "in the order sent"
        values = "raw (not URL-encoded) values" if sig.values == "raw" else "URL-encoded values"
        left_out = ", ".join(f"`{n}`" for n in [*sorted(sig.signature_parameters), *sig.exclude])
        added = [n for n, _ in sig.sent_parameters if n not in sig.signature_parameters]
        included = (
            f"the key parameter `{sig.key_parameter}`"
            if added == [sig.key_parameter]
            else "the signature's own " + ", ".join(f"`{n}`" for n in added)
        )
        text += (
            f", where `{{canonical}}` is every request parameter except {left_out} "
            f"({included} included), {order}, written `name{sig.pair}value` "
            f"with {values} and joined with `{sig.join}`"
        )
        return text + "".join(f"; {d}" for d in digests) + "."
    return text + ("; " + "; ".join(digests) if digests else "") + "."


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


def _template(template: str, digests: set[str]) -> list[tuple[str, bool]]:
    """A header or parameter template as word parts (placeholders as shell variables)."""
    parts: list[tuple[str, bool]] = []
    for i, piece in enumerate(re.split(r"\{(\??[A-Za-z_][A-Za-z0-9_]*)\}", template)):
        if i % 2 == 0:
            if piece:
                parts.append((piece, False))
        elif piece in _SHELL or piece in digests:
            parts.append((_SHELL.get(piece, piece.upper()), True))
        else:
            parts.append(("{" + piece + "}", False))
    return parts


def _mac(algorithm: str, secret: str) -> str:
    """The openssl dgst options of an algorithm (keyed with $SECRET_KEY for hmac-*)."""
    name = algorithm.removeprefix("hmac-")
    if not algorithm.startswith("hmac-"):
        return f"openssl dgst -{name} -binary"
    if secret == "base64":
        hexkey = (
            "$(printf '%s' \"$SECRET_KEY\" | openssl base64 -d -A | od -An -v -tx1 | tr -d ' \\n')"
        )
        return f'openssl dgst -{name} -mac HMAC -macopt "hexkey:{hexkey}" -binary'
    return f'openssl dgst -{name} -hmac "$SECRET_KEY" -binary'


def _encode(output: str) -> str:
    return {
        "raw": "",
        "base64": " | openssl base64 -A",
        "hex-upper": " | od -An -v -tx1 | tr -d ' \\n' | tr a-f A-F",
    }.get(output, " | od -An -v -tx1 | tr -d ' \\n'")


def _encoded(word: _Word, plus: bool) -> list[tuple[str, bool]]:
    """A word's literal text URL-encoded (space as `+` or `%20`); variables are sent as they are."""
    return [
        (t, v) if v else (quote_plus(t, safe="") if plus else quote(t, safe=""), v)
        for t, v in word.parts
    ]


def _pairs_text(pairs: list[tuple[str, _Word]]) -> list[tuple[str, bool]]:
    """Pairs as the SDK encodes them (urllib.parse.urlencode)."""
    parts: list[tuple[str, bool]] = []
    for i, (name, word) in enumerate(pairs):
        parts.append((("&" if i else "") + quote_plus(name, safe="") + "=", False))
        parts.extend(_encoded(word, plus=True))
    return parts


# where the samples of a spec without `servers` send their requests
PLACEHOLDER_BASE_URL = "https://api.example.com"


def curl_sample(api: RestApi, op: Operation, args: dict[str, Any]) -> str:
    sig = api.signature if op.signed else None
    location = signed_location(op)
    query: list[tuple[str, _Word]] = [
        (p.name, _word(t)) for p, t in wire_pairs(op.params, args, ("query",))
    ]
    form: list[tuple[str, _Word]] = [
        (p.name, _word(t)) for p, t in wire_pairs(op.params, args, ("form", "multipart"))
    ]
    json_text = ""
    if op.body_kind in ("json", "body"):
        value = (
            {p.name: args.get(p.name) for p in op.params if p.location == "json"}
            if op.body_kind == "json"
            else args.get("body")
        )
        json_text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    path = path_with(op, args, "{value}")
    lines: list[str] = []
    sig_headers: list[tuple[str, _Word]] = []
    exact = False  # the payload signs the query or body as sent: curl sends them pre-encoded
    if sig is not None:
        digests = {d.name for d in sig.digests}
        exact = bool(sig.uses & {"query", "?query", "body"})
        signed = form if location == "body" else query
        late = sig.signature_parameters
        for name, template in sig.sent_parameters:
            if name not in late:
                signed.append((name, _Word(tuple(_template(template, digests)))))
        items = [(n, w) for n, w in signed if n not in {*late, *sig.exclude}]
        if sig.sort == "name":
            items.sort(key=lambda item: item[0])
        canonical: list[tuple[str, bool]] = []
        for i, (name, word) in enumerate(items):
            if i:
                canonical.append((sig.join, False))
            encoded = sig.values == "urlencoded"
            canonical.append((quote(name, safe="") if encoded else name, False))
            canonical.append((sig.pair, False))
            canonical.extend(_encoded(word, plus=False) if encoded else word.parts)
        query_text = _pairs_text(query)
        values: dict[str, list[tuple[str, bool]]] = {
            "canonical": canonical,
            "method": [(op.http_method, False)],
            "path": [(path, False)],
            "url_path": [(urlsplit(api.base_url).path.rstrip("/") + path, False)],
            "query": query_text,
            "?query": [("?", False), *query_text] if query else [],
            "body": _pairs_text(form) if location == "body" else [(json_text, False)],
        }
        values.update({k: [(v, True)] for k, v in _SHELL.items() if k != "signature"})

        def producer(template: str) -> str:
            """A shell command writing the template's bytes (raw digests spliced in)."""
            pieces: list[str] = []
            word: list[tuple[str, bool]] = []
            for i, piece in enumerate(re.split(r"\{(\??[A-Za-z_][A-Za-z0-9_]*)\}", template)):
                if i % 2 == 0:
                    word += [(piece, False)] if piece else []
                elif piece in raw_digests:
                    if word:
                        pieces.append(f"printf '%s' {_Word(tuple(word)).render()}")
                        word = []
                    pieces.append(raw_digests[piece])
                elif piece in values:
                    word += values[piece]
                elif piece in digests:
                    word.append((piece.upper(), True))
                else:
                    word.append(("{" + piece + "}", False))
            if word or not pieces:
                pieces.append(f"printf '%s' {_Word(tuple(word)).render()}")
            return pieces[0] if len(pieces) == 1 else "{ " + "; ".join(pieces) + "; }"

        raw_digests: dict[str, str] = {}
        setup = [
            f"{'# export API_KEY=... SECRET_KEY=...'}{' PASSPHRASE=...' if sig.needs_passphrase else ''}"
        ]
        for clock in ("timestamp", "nonce"):
            if clock in sig.uses:
                setup.append(f"{_SHELL[clock]}={_CLOCK.get(getattr(sig, clock), _CLOCK['ms'])}")
        for d in sig.digests:
            run = f"{producer(d.payload)} | {_mac(d.algorithm, d.secret)}{_encode(d.output)}"
            if d.output == "raw":
                raw_digests[d.name] = run
            else:
                setup.append(f"{d.name.upper()}=$({run})")
        lines += [
            *setup,
            *textwrap.wrap(
                f"{_signature_target(sig)} = {signature_rule(sig)}",
                96,
                initial_indent="# ",
                subsequent_indent="#   ",
                break_on_hyphens=False,
                break_long_words=False,
            ),
            f"SIGN=$({producer(sig.payload)} | {_mac(sig.algorithm, sig.secret)}{_encode(sig.output)})",
        ]
        for name, template in sig.sent_parameters:
            if name in late:
                signed.append((name, _Word(tuple(_template(template, digests)))))
        sig_headers = [(n, _Word(tuple(_template(t, digests)))) for n, t in sig.headers]
    url = (api.base_url or PLACEHOLDER_BASE_URL) + path
    headers = [
        f"-H {_word(f'{p.name}: {t}').render()}"
        for p, t in wire_pairs(op.params, args, ("header",))
    ]
    headers += [f"-H {_Word(((n + ': ', False), *w.parts)).render()}" for n, w in sig_headers]
    taken = {n.lower() for n, _ in sig_headers}
    # the first security requirement's schemes (all of them: AND), each credential a shell variable
    # named like the client's parameter (`token` -> $TOKEN)
    required = [
        s for s in (op.security[0] if op.security else op.auth[:1]) if s in api.auth_schemes
    ]
    exported: list[str] = []
    for scheme in (api.auth_schemes[s] for s in required):
        variables = [n.upper() for n in scheme.parameters] or ["API_KEY"]
        exported += [v for v in variables if v not in exported]
        if scheme.type == "bearer":
            headers.append(f'-H "Authorization: Bearer ${variables[0]}"')
        elif scheme.type == "basic":
            headers.append(f'-u "${variables[0]}:${variables[-1]}"')
        elif scheme.location == "header" and scheme.param_name.lower() not in taken:
            headers.append(f'-H "{scheme.param_name}: ${variables[0]}"')
        elif scheme.location == "query":
            query.append((scheme.param_name, _word((variables[0], True))))
        elif scheme.location == "cookie":
            headers.append(f'-b "{scheme.param_name}=${variables[0]}"')
    if exported and sig is None:
        lines.append("# export " + " ".join(f"{v}=..." for v in exported))
    data_args = [
        f"--data-urlencode {_Word(((name + '=', False), *word.parts)).render()}"
        for name, word in form
    ]
    if exact and form:
        data_args = [f"--data {_Word(tuple(_pairs_text(form))).render()}"]
    if op.body_kind in ("json", "body"):
        headers.append(
            f"-H {shlex.quote('Content-Type: ' + (op.body_media_type or 'application/json'))}"
        )
        data_args = [f"--data {shlex.quote(json_text)}"]
    query_args = [
        f"--data-urlencode {_Word(((name + '=', False), *word.parts)).render()}"
        for name, word in query
    ]
    if op.http_method == "GET" and not data_args and not (exact and query):
        command = [f"curl -G {shlex.quote(url)}", *headers, *query_args]
    else:
        if query:
            parts: list[tuple[str, bool]] = [(url + "?", False)]
            if exact:
                parts.extend(_pairs_text(query))
            else:
                for i, (name, word) in enumerate(query):
                    parts.append((("&" if i else "") + quote(name, safe="") + "=", False))
                    parts.extend(_encoded(word, plus=False))
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
    api = project.api
    names = ["api_key", "secret_key"] if op.signed else []
    for scheme in op.security[0] if op.security and api else ():
        names += [n for n in api.auth_schemes[scheme].parameters if n not in names] if api else []
    keys = ", ".join(f'{n}="YOUR_{n.upper()}"' for n in names)
    if api is not None and not api.base_url:
        keys = ", ".join(x for x in (f'"{PLACEHOLDER_BASE_URL}"', keys) if x)
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
        names = ["api_key", "secret_key"]  # signed: the key and the secret
        api = project.api
        if op.signed and api and api.signature and api.signature.needs_passphrase:
            names.append("passphrase")
        elif not op.signed and api and op.security:  # the first requirement's credentials
            schemes = [api.auth_schemes[s] for s in op.security[0] if s in api.auth_schemes]
            names = [n for s in schemes for n in s.parameters] or names
        return "export " + " ".join(f"{env}_{n.upper()}=..." for n in names) + f"\n{command}"
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
