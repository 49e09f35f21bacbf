"""Write the AsyncAPI 3.0 edition of an x-rpc AsyncAPI 2.x spec (`specs/*.asyncapi3.yaml`).

    python specs/asyncapi3.py specs/hotbit-websocket.asyncapi.yaml specs/hotbit-websocket.asyncapi3.yaml

The 2.x spec stays the source. The 3.0 edition has the same messages, schemas and extensions.
Each method becomes its own operation: a `send` of its request with the `reply` its
`x-rpc-method` names, and for a subscription a `receive` operation for the pushes. Standard
AsyncAPI tools can then pair a request with its reply and its pushes. The output is
deterministic; tests/unit/test_asyncapi3_edition.py checks that it is up to date and that it
generates the same client.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import yaml

CHANNEL = "rpc"
# 2.x root fields 3.0 moved into `info`, and 2.x message fields 3.0 dropped.
INTO_INFO = ("tags", "externalDocs")
DROPPED = ("messageId",)


def convert(spec: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"asyncapi": "3.0.0"}
    info = dict(spec["info"])
    for key in INTO_INFO:
        if key in spec:
            info[key] = spec[key]
    for key, value in spec.items():
        if key in ("asyncapi", "channels", "components", *INTO_INFO):
            continue
        out[key] = info if key == "info" else value
    out["servers"] = {name: _server(s) for name, s in spec.get("servers", {}).items()}
    [(address, channel)] = spec["channels"].items()
    messages: dict[str, Any] = spec["components"]["messages"]
    out["channels"] = {
        CHANNEL: {
            "address": address,
            "description": channel.get("description", ""),
            "messages": {k: {"$ref": f"#/components/messages/{k}"} for k in messages},
        }
    }
    out["operations"] = _operations(messages)
    components = dict(spec["components"])
    components["messages"] = {
        key: {k: v for k, v in message.items() if k not in DROPPED}
        for key, message in messages.items()
    }
    out["components"] = components
    return out


def _server(server: dict[str, Any]) -> dict[str, Any]:
    scheme, _, rest = str(server["url"]).partition("://")
    host, slash, path = rest.partition("/")
    out = {"host": host, "protocol": server.get("protocol", scheme)}
    if slash:
        out["pathname"] = "/" + path
    return {**out, **{k: v for k, v in server.items() if k not in ("url", "protocol")}}


def _ref(key: str) -> dict[str, str]:
    return {"$ref": f"#/channels/{CHANNEL}/messages/{key}"}


def _operations(messages: dict[str, Any]) -> dict[str, Any]:
    replies = {
        m["x-rpc-method"]["name"]: key
        for key, m in messages.items()
        if m["x-rpc-method"]["kind"] == "reply"
    }
    pushes = {
        m["x-rpc-method"]["name"]: key
        for key, m in messages.items()
        if m["x-rpc-method"]["kind"] == "push"
    }
    channel = {"$ref": f"#/channels/{CHANNEL}"}
    out: dict[str, Any] = {}
    for key, message in messages.items():
        rpc = message["x-rpc-method"]
        if rpc["kind"] not in ("request", "subscribe", "unsubscribe"):
            continue
        op: dict[str, Any] = {"action": "send", "channel": channel}
        for field in ("title", "summary", "description", "tags"):
            if field in message:
                op[field] = message[field]
        op["messages"] = [_ref(key)]
        reply = rpc.get("reply") or replies.get(rpc["name"])
        if reply:
            op["reply"] = {"channel": channel, "messages": [_ref(reply)]}
        out[key] = op
        push = pushes.get(rpc.get("push", ""))
        if rpc["kind"] == "subscribe" and push and push not in out:
            pushed = messages[push]
            what = f"`{push}` pushes, sent after `{rpc['name']}`."
            out[push] = {
                "action": "receive",
                "channel": channel,
                "summary": pushed.get("summary", what),
                "description": pushed.get("description", what),
                "messages": [_ref(push)],
            }
    return out


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True  # no anchors: every node written out


# Plain scalars that YAML 1.2 (core schema, as the generator reads specs) resolves to no string:
# quoted, even where PyYAML's 1.1 rules would leave them plain (`0e-8` is a float in 1.2).
_NOT_TEXT_IN_12 = re.compile(
    r"^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+"
    r"|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)"
    r"|\.(?:nan|NaN|NAN))$"
)


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else ("'" if _NOT_TEXT_IN_12.match(value) else None)
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)

HEADER = """\
# AsyncAPI 3.0 edition of hotbit-websocket.asyncapi.yaml (the source: edit that one, then run
# `python specs/asyncapi3.py specs/hotbit-websocket.asyncapi.yaml specs/hotbit-websocket.asyncapi3.yaml`).
# One operation per method: requests with their `reply`, subscriptions with their pushes.
"""


def render(source: Path) -> str:
    spec = yaml.safe_load(source.read_text(encoding="utf-8"))
    body = yaml.dump(convert(spec), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    return HEADER + body


def main(argv: list[str]) -> int:
    source, target = Path(argv[0]), Path(argv[1])
    target.write_text(render(source), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
