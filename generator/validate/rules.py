"""Our own authoring rules: operationIds, examples, `nullable`, x-rpc-method references."""

from __future__ import annotations

from typing import Any

from generator.load import Document
from generator.problems import Problem, join_pointer
from generator.validate.common import _NOT_SPEC, _Context, _problem
from generator.validate.examples import _check_examples
from generator.validate.walkers import _AsyncAPIWalker, _OpenAPIWalker


def _check_openapi_rules(ctx: _Context) -> list[Problem]:
    walker = _OpenAPIWalker(ctx)
    problems: list[Problem] = []
    for path, method, op, doc, pointer in walker.operations():
        if not isinstance(op.get("operationId"), str) or not op["operationId"]:
            problems.append(
                _problem(ctx, doc, pointer, f"{method.upper()} {path} has no operationId", "policy")
            )
        if not _has_response_example(walker, op, doc, pointer):
            problems.append(
                _problem(
                    ctx,
                    doc,
                    join_pointer(pointer, "responses"),
                    f"{method.upper()} {path} has no response example: give a response media type "
                    "an `example` or `examples`",
                    "policy",
                )
            )
    problems.extend(_check_nullable(ctx))
    problems.extend(_check_examples(ctx, walker.examples()).problems)
    return problems


def _check_nullable(ctx: _Context) -> list[Problem]:
    """`nullable: true` only means something next to `type`, and only in OpenAPI 3.0."""
    problems: list[Problem] = []

    def visit(node: Any, pointer: str) -> None:
        if isinstance(node, dict):
            if node.get("nullable") is True and (ctx.kind.version != "3.0" or "type" not in node):
                here = join_pointer(pointer, "nullable")
                if ctx.kind.version == "3.0":
                    message = (
                        "`nullable: true` has no effect without `type` in the same schema "
                        "(OpenAPI 3.0.3): add `type`"
                    )
                else:
                    message = "`nullable` is not a keyword in OpenAPI 3.1: add 'null' to `type`"
                problems.append(_problem(ctx, ctx.doc, here, message, "rules"))
            for key, value in node.items():
                if key not in _NOT_SPEC:
                    visit(value, join_pointer(pointer, key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                visit(value, join_pointer(pointer, index))

    visit(ctx.doc.data, "")
    return problems


def _has_response_example(
    walker: _OpenAPIWalker, op: dict[str, Any], doc: Document, pointer: str
) -> bool:
    responses, rdoc, rpointer = walker.follow(
        op.get("responses"), doc, join_pointer(pointer, "responses")
    )
    if not isinstance(responses, dict):
        return False
    for code, response in responses.items():
        response, _, _ = walker.follow(response, rdoc, join_pointer(rpointer, code))
        content = response.get("content") if isinstance(response, dict) else None
        if not isinstance(content, dict):
            continue
        for media_type in content.values():
            if isinstance(media_type, dict) and (
                "example" in media_type
                or (isinstance(media_type.get("examples"), dict) and media_type["examples"])
            ):
                return True
    return False


def _check_asyncapi_rules(ctx: _Context) -> list[Problem]:
    walker = _AsyncAPIWalker(ctx)
    problems: list[Problem] = []
    data = ctx.doc.data
    rpc = "x-rpc" in data
    messages = list(walker.messages())
    components = data.get("components") if isinstance(data.get("components"), dict) else {}
    component_messages = components.get("messages") if isinstance(components, dict) else None
    message_keys = set(component_messages) if isinstance(component_messages, dict) else set()
    wire_names: set[str] = set()
    for message, _, _ in messages:
        method = message.get("x-rpc-method")
        if isinstance(method, dict) and isinstance(method.get("name"), str):
            wire_names.add(method["name"])
    for message, doc, pointer in messages:
        if not _has_message_examples(walker, message, doc, pointer):
            problems.append(_problem(ctx, doc, pointer, "message has no examples", "policy"))
        method = message.get("x-rpc-method")
        if rpc and method is None:
            problems.append(
                _problem(
                    ctx,
                    doc,
                    pointer,
                    "message has no x-rpc-method (required on every message of an x-rpc API)",
                    "rules",
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
                    "rules",
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
                        "rules",
                    )
                )
    problems.extend(_check_examples(ctx, walker.examples()).problems)
    return problems


def _has_message_examples(
    walker: _AsyncAPIWalker, message: dict[str, Any], doc: Document, pointer: str
) -> bool:
    if isinstance(message.get("examples"), list) and message["examples"]:
        return True
    traits = message.get("traits")
    if isinstance(traits, list):
        for index, trait in enumerate(traits):
            trait, _, _ = walker.follow(trait, doc, join_pointer(pointer, "traits", index))
            if (
                isinstance(trait, dict)
                and isinstance(trait.get("examples"), list)
                and trait["examples"]
            ):
                return True
    return False
