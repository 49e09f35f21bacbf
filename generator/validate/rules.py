"""Our own authoring rules: operationIds, examples, `nullable`, x-rpc-method references."""

from __future__ import annotations

from typing import Any

from generator.naming import snake
from generator.problems import Problem, Severity, Source, join_pointer
from generator.validate.common import _NOT_SPEC, _Context, _problem
from generator.validate.examples import _check_examples, _iter_examples

# Beyond the standard: our authoring rules (operationIds, examples) and `nullable` misuse.
WARNING = Severity.WARNING
# the authoring rules, by name (printed `[policy:<rule>]`; repeats of one rule fold into one line)
_OPERATION_ID = f"{Source.POLICY}:operation-id"
_RESPONSE_EXAMPLE = f"{Source.POLICY}:response-example"
_MESSAGE_EXAMPLE = f"{Source.POLICY}:message-example"


def _check_openapi_rules(ctx: _Context) -> list[Problem]:
    problems: list[Problem] = []
    for op in ctx.openapi.operations:
        doc, pointer, name = op.location.doc, op.location.pointer, f"{op.method.upper()} {op.path}"
        if op.operation_id is None:  # the one report of it (the model names the method so)
            named = snake(f"{op.method}_{op.path}", avoid_builtins=True, fallback="op")
            message = f"{name} has no operationId: the method is named {named!r}"
            problems.append(_problem(ctx, doc, pointer, message, _OPERATION_ID, WARNING))
        if not any(media.has_examples for r in op.responses for media in r.content):
            problems.append(
                _problem(
                    ctx,
                    doc,
                    join_pointer(pointer, "responses"),
                    f"{name} has no response example: give a response media type "
                    "an `example` or `examples`",
                    _RESPONSE_EXAMPLE,
                    WARNING,
                )
            )
    problems.extend(_check_schemas(ctx))
    problems.extend(_check_examples(ctx, _iter_examples(ctx)).problems)
    return problems


def _check_schemas(ctx: _Context) -> list[Problem]:
    """`nullable: true` only means something next to `type`, and only in OpenAPI 3.0."""
    problems: list[Problem] = []
    openapi = ctx.kind.family == "openapi"

    def visit(node: Any, pointer: str) -> None:
        if isinstance(node, dict):
            if (
                openapi
                and node.get("nullable") is True
                and (ctx.kind.version != "3.0" or "type" not in node)
            ):
                here = join_pointer(pointer, "nullable")
                if ctx.kind.version == "3.0":
                    message = (
                        "`nullable: true` has no effect without `type` in the same schema "
                        "(OpenAPI 3.0.3): add `type`"
                    )
                else:
                    message = "`nullable` is not a keyword in OpenAPI 3.1: add 'null' to `type`"
                problems.append(_problem(ctx, ctx.doc, here, message, Source.RULES, WARNING))
            for key, value in node.items():
                if key not in _NOT_SPEC:
                    visit(value, join_pointer(pointer, key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                visit(value, join_pointer(pointer, index))

    visit(ctx.doc.data, "")
    return problems


def _check_asyncapi_rules(ctx: _Context) -> list[Problem]:
    model = ctx.asyncapi
    problems: list[Problem] = []
    rpc = "x-rpc" in model.extensions
    components = ctx.doc.data.get("components")
    component_messages = components.get("messages") if isinstance(components, dict) else None
    message_keys = set(component_messages) if isinstance(component_messages, dict) else set()
    wire_names: set[str] = set()
    for message in model.messages:
        method = message.raw.get("x-rpc-method")
        if isinstance(method, dict) and isinstance(method.get("name"), str):
            wire_names.add(method["name"])
    for message in model.messages:
        doc, pointer = message.location.doc, message.location.pointer
        if not message.has_examples:
            problems.append(
                _problem(ctx, doc, pointer, "message has no examples", _MESSAGE_EXAMPLE, WARNING)
            )
        method = message.raw.get("x-rpc-method")
        if rpc and method is None:
            problems.append(
                _problem(
                    ctx,
                    doc,
                    pointer,
                    "message has no x-rpc-method (required on every message of an x-rpc API)",
                    Source.RULES,
                )
            )
        if not isinstance(method, dict):
            continue
        here = join_pointer(pointer, "x-rpc-method")
        reply = method.get("reply")
        if isinstance(reply, str) and reply not in message_keys:
            problems.append(
                _problem(
                    ctx,
                    doc,
                    join_pointer(here, "reply"),
                    f"reply message {reply!r} is not in components/messages",
                    Source.RULES,
                )
            )
        for field in ("push", "unsubscribe"):
            value = method.get(field)
            if isinstance(value, str) and value not in wire_names:
                problems.append(
                    _problem(
                        ctx,
                        doc,
                        join_pointer(here, field),
                        f"no message has x-rpc-method.name {value!r}",
                        Source.RULES,
                    )
                )
    problems.extend(_check_schemas(ctx))
    problems.extend(_check_examples(ctx, _iter_examples(ctx)).problems)
    return problems
