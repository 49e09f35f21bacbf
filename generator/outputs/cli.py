"""The tables of the SDK's command line (`python -m <package>`): one command per REST operation
and WebSocket request or subscription, with how each argument is parsed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.model.ir import (
    CREDENTIAL_ORDER,
    AuthScheme,
    RestApi,
    WsApi,
)
from generator.outputs.common import Project, spec_examples
from generator.outputs.samples import cli_rest_sample


@dataclass(frozen=True)
class CliArg:
    """One argument of a CLI command: how the text typed in the shell becomes the SDK value."""

    name: str  # REST: option --<name>; WebSocket: positional argument name
    py_name: str
    kind: str  # int | number | decimal | bool | str | json
    array: bool  # several values (or one JSON array)
    required: bool
    help: str
    choices: tuple[Any, ...] = ()
    variadic: bool = False  # WebSocket: any number of further values


@dataclass(frozen=True)
class CliCommand:
    name: str  # the exchange's method name (REST x-method-name / WebSocket wire name)
    aliases: tuple[str, ...]  # also accepted: the operationId, the SDK method name
    py_name: str
    kind: str  # rest | request | subscribe
    summary: str
    description: str
    args: tuple[CliArg, ...]
    credentials: bool  # signed / private: needs the keys


@dataclass(frozen=True)
class CliCredential:
    """A credential option: the client constructor parameter, from a flag or the environment."""

    name: str  # constructor parameter: api_key, token, username...
    flag: str  # --api-key
    env: str  # <PACKAGE>_API_KEY
    metavar: str
    help: str
    rest: bool  # a REST Client parameter (else only the WebSocket client's)


_CREDENTIAL_HELP = {
    "api_key": ("KEY", "API key"),
    "secret_key": ("SECRET", "secret key"),
    "token": ("TOKEN", "bearer token (HTTP bearer, or an OAuth2 / OpenID Connect access token)"),
    "username": ("USER", "HTTP basic user name"),
    "password": ("PASSWORD", "HTTP basic password"),
    "passphrase": ("PASSPHRASE", "API key passphrase"),
}


def cli_credentials(package: str, api: RestApi | None, ws: WsApi | None) -> list[CliCredential]:
    """The credentials the spec's security schemes and signatures need, in constructor order."""
    rest = list(api.credentials) if api else []
    if api and api.signature and api.signature.needs_passphrase:
        rest.append("passphrase")
    names = rest + [n for n in ("api_key", "secret_key") if ws and ws.auth and n not in rest]
    names.sort(key=lambda n: (CREDENTIAL_ORDER.index(n) if n in CREDENTIAL_ORDER else 9, n))
    schemes = {p: s.name for s in (api.auth_schemes.values() if api else ()) for p in s.parameters}
    out = []
    for name in names:
        metavar, text = _CREDENTIAL_HELP.get(
            name, ("KEY", f"API key of the {schemes.get(name)} scheme")
        )
        flag = "--" + name.replace("_", "-")
        out.append(
            CliCredential(
                name, flag, f"{package.upper()}_{name.upper()}", metavar, text, name in rest
            )
        )
    return out


def _needs(schemes: dict[str, AuthScheme], security: tuple[tuple[str, ...], ...]) -> str:
    """What an operation's security requirements need, as CLI options: `--token or --api-key`."""
    options = []
    for requirement in security:
        names = [p for s in requirement if s in schemes for p in schemes[s].parameters]
        options.append(" and ".join("--" + n.replace("_", "-") for n in names))
    options = list(dict.fromkeys(o for o in options if o))
    return "needs " + " or ".join(options) if options else ""


def _cli_kind(schema: Any) -> tuple[str, bool]:
    """(kind, is_array) of a parameter schema."""
    if not isinstance(schema, dict):
        return "json", False
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind == "array":
        items = schema.get("items")
        inner, nested = _cli_kind(items) if isinstance(items, dict) else ("json", False)
        return (inner if not nested else "json"), True
    if schema.get("format") == "decimal":
        return "decimal", False
    if kind in ("integer", "number", "boolean", "string"):
        return {"integer": "int", "number": "number", "boolean": "bool", "string": "str"}[
            kind
        ], False
    enum = [v for v in schema.get("enum") or () if v is not None]
    if enum and all(isinstance(v, int) and not isinstance(v, bool) for v in enum):
        return "int", False
    if enum and all(isinstance(v, str) for v in enum):
        return "str", False
    return "json", False


def _choices(schema: Any) -> tuple[Any, ...]:
    if isinstance(schema, dict) and schema.get("type") == "array":
        schema = schema.get("items")
    if isinstance(schema, dict) and isinstance(schema.get("enum"), list):
        return tuple(v for v in schema["enum"] if v is not None)
    return ()


def _cli_arg(
    name: str, py_name: str, schema: Any, required: bool, description: str, variadic: bool = False
) -> CliArg:
    kind, array = _cli_kind(schema)
    hint = {
        "int": "integer",
        "number": "number",
        "decimal": "decimal, e.g. 0.5",
        "bool": "true or false",
        "str": "text",
        "json": "JSON text",
    }[kind]
    if array:
        hint = f"one or more values ({hint}) or a JSON array"
    text = " ".join((description or name).split())
    return CliArg(
        name, py_name, kind, array, required, f"{text} [{hint}]", _choices(schema), variadic
    )


def cli_commands(
    api: RestApi | None, ws: WsApi | None
) -> tuple[list[CliCommand], list[CliCommand]]:
    rest: list[CliCommand] = []
    schemes = api.auth_schemes if api else {}
    for op in api.operations if api else []:
        aliases = tuple(
            dict.fromkeys(a for a in (op.operation_id, op.py_name) if a != op.method_name)
        )
        facts = [f"{op.http_method} {op.path}"]
        if op.signed:
            facts.append("needs the API key and secret")
        elif not op.auth_optional and (needs := _needs(schemes, op.security)):
            facts.append(needs)
        if op.permission != "none":
            facts.append(f"API-key permission: {op.permission}")
        if not op.retry_safe:
            facts.append("not retry-safe")
        description = "\n\n".join(
            x for x in (op.summary, op.description, "; ".join(facts) + ".") if x
        )
        rest.append(
            CliCommand(
                op.method_name,
                aliases,
                op.py_name,
                "rest",
                " ".join(op.summary.split()) or op.method_name,
                description,
                tuple(
                    _cli_arg(p.name, p.py_name, p.schema, p.required, p.description)
                    for p in op.params
                ),
                op.signed or bool(op.auth),
            )
        )
    socket: list[CliCommand] = []
    for m in ws.methods if ws else []:
        if m.internal or m.kind not in ("request", "subscribe"):
            continue
        args = [_cli_arg(p.name, p.py_name, p.schema, p.required, p.description) for p in m.params]
        if m.variadic is not None:
            v = m.variadic
            args.append(_cli_arg(v.name, v.py_name, v.schema, False, v.description, variadic=True))
        aliases = tuple(a for a in dict.fromkeys((m.py_name, *m.aliases)) if a != m.name)
        extra = f"Pushes: {m.push}; prints one JSON line per push." if m.kind == "subscribe" else ""
        description = "\n\n".join(
            x
            for x in (
                m.summary,
                m.description,
                extra,
                "Private: needs the API key and secret." if m.private else "",
            )
            if x
        )
        socket.append(
            CliCommand(
                m.name,
                aliases,
                m.py_name,
                m.kind,
                " ".join(m.summary.split()) or m.name,
                description,
                tuple(args),
                m.private,
            )
        )
    return rest, socket


def render_cli(project: Project, template: str) -> str:
    """`<package>/__main__.py`: the template rendered with the command tables."""
    rest, socket = cli_commands(project.api, project.ws)
    examples = spec_examples(project)
    example = ""
    if project.api is not None and project.api.operations:
        op = next(
            (o for o in project.api.operations if o.params and not o.signed),
            project.api.operations[0],
        )
        example = cli_rest_sample(project, op, examples.rest[op.operation_id].args).split("\n")[-1]
    return project.env.get_template(template).render(
        **project.context,
        rest_commands=rest,
        ws_commands=socket,
        cli_example=example,
        cli_credentials=cli_credentials(project.package, project.api, project.ws),
    )
