"""Walk an AsyncAPI 2.x/3.0 document once into an `AsyncAPIModel`."""

from __future__ import annotations

from typing import Any

from generator.document.common import Walker, mapping, optional_text, ref_of, text
from generator.document.common import tags as root_tags
from generator.document.nodes import (
    AsyncAPIModel,
    AsyncOperation,
    AsyncServer,
    Channel,
    ChannelParameter,
    Example,
    Location,
    Message,
    MessageExample,
    Schema,
    SecurityRequirement,
)
from generator.load import Document, Resolver
from generator.problems import join_pointer

_Key = tuple[str, str]  # (resolved file, pointer): one real location


def build_asyncapi(doc: Document, resolver: Resolver | None = None) -> AsyncAPIModel:
    """The model of one AsyncAPI document (its data must be a mapping)."""
    return _AsyncAPIBuilder(doc, resolver or Resolver(doc)).build()


# schemaFormat values whose schemas are JSON Schema (or close enough to read as such)
JSON_SCHEMA_FORMATS = (
    "application/vnd.aai.asyncapi",
    "application/schema+json",
    "application/schema+yaml",
    "application/vnd.oai.openapi",
)
# Message fields a trait supplies when the message has none of its own
TRAIT_FIELDS = (
    "messageId", "name", "title", "summary", "description", "contentType", "schemaFormat",
    "correlationId",
)  # fmt: skip


def is_json_schema_format(schema_format: Any) -> bool:
    if not isinstance(schema_format, str):
        return False
    return schema_format.lower().startswith(JSON_SCHEMA_FORMATS)


def _key(doc: Document, pointer: str) -> _Key:
    return (doc.key, pointer)


class _AsyncAPIBuilder(Walker):
    def __init__(self, doc: Document, resolver: Resolver) -> None:
        super().__init__(doc, resolver)
        self.by_location: dict[_Key, Message] = {}
        self.containers: dict[_Key, list[Message]] = {}  # `oneOf` messages -> their members

    def build(self) -> AsyncAPIModel:
        root = self.doc
        data: dict[str, Any] = root.data
        components = mapping(data.get("components"))
        schemas: dict[str, Schema] = {}
        for name, schema in mapping(components.get("schemas")).items():
            found = self.schema(schema, root, join_pointer("/components/schemas", name))
            if found is not None:
                schemas[name] = found
        raw_channels: list[tuple[str, dict[str, Any], Document, str, list[ChannelParameter]]] = []
        for key, channel in mapping(data.get("channels")).items():
            channel, doc, pointer = self.follow(channel, root, join_pointer("/channels", key))
            if isinstance(channel, dict):
                params = self._channel_parameters(channel, doc, pointer)
                raw_channels.append((key, channel, doc, pointer, params))
        messages = self._messages(data, raw_channels)
        component_messages: dict[str, Message] = {}
        for name in mapping(components.get("messages")):
            member = self._resolve_one(root, join_pointer("/components/messages", name))
            if member is not None:
                component_messages[name] = member
        v3 = text(data.get("asyncapi")).startswith("3.")
        channels: list[Channel] = []
        operations: list[AsyncOperation] = []
        by_channel: dict[_Key, Channel] = {}
        for key, channel, doc, pointer, params in raw_channels:
            channel_messages: list[Message] = []
            for ref, mdoc, mpointer in self._channel_message_refs(channel, doc, pointer):
                channel_messages.extend(self._resolve(ref, mdoc, mpointer))
            node = Channel(
                key=key,
                address=optional_text(channel.get("address")) if v3 else key,
                parameters=params,
                messages=channel_messages,
                bindings=mapping(channel.get("bindings")),
                extensions=self.extensions(channel, doc, pointer),
                location=Location.at(doc, pointer),
                raw=channel,
                servers=self._server_names(channel.get("servers")),
                description=text(channel.get("description")),
            )
            channels.append(node)
            by_channel[_key(doc, pointer)] = node
            for action in ("publish", "subscribe"):  # AsyncAPI 2.x
                op = channel.get(action)
                if isinstance(op, dict):
                    operations.append(
                        self._v2_operation(node, action, op, join_pointer(pointer, action))
                    )
        for key, op in mapping(data.get("operations")).items():  # AsyncAPI 3.0
            op, doc, pointer = self.follow(op, root, join_pointer("/operations", key))
            if isinstance(op, dict):
                operations.append(self._v3_operation(key, op, doc, pointer, by_channel))
        return AsyncAPIModel(
            doc=root,
            resolver=self.resolver,
            version=text(data.get("asyncapi")),
            info=mapping(data.get("info")),
            servers=self._servers(mapping(data.get("servers"))),
            channels=channels,
            operations=operations,
            messages=messages,
            component_messages=component_messages,
            schemas=schemas,
            extensions=self.extensions(data, root, ""),
            location=Location.at(root, ""),
            examples=self.examples,
            tags=root_tags(data, root),
            problems=list(self.problems),
            default_content_type=optional_text(data.get("defaultContentType")),
        )

    # -------------------------------------------------------------- channels

    def _channel_parameters(
        self, channel: dict[str, Any], doc: Document, pointer: str
    ) -> list[ChannelParameter]:
        out: list[ChannelParameter] = []
        for name, param in mapping(channel.get("parameters")).items():
            param, pdoc, ppointer = self.follow(
                param, doc, join_pointer(pointer, "parameters", name)
            )
            if not isinstance(param, dict):
                continue
            schema = None
            if "schema" in param:
                schema = self.schema(param["schema"], pdoc, join_pointer(ppointer, "schema"))
            out.append(
                ChannelParameter(
                    str(name),
                    schema,
                    Location.at(pdoc, ppointer),
                    param,
                    text(param.get("description")),
                )
            )
        return out

    @staticmethod
    def _server_names(listed: Any) -> list[str]:
        """A channel's `servers`: names (2.x) or `$ref`s to servers (3.0)."""
        out: list[str] = []
        for item in listed if isinstance(listed, list) else []:
            if isinstance(item, str):
                out.append(item)
            elif isinstance(item, dict) and isinstance(item.get("$ref"), str):
                out.append(item["$ref"].rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~"))
        return out

    def _channel_message_refs(
        self, channel: dict[str, Any], doc: Document, pointer: str
    ) -> list[tuple[Any, Document, str]]:
        out: list[tuple[Any, Document, str]] = []
        for action in ("publish", "subscribe"):  # AsyncAPI 2.x
            op = channel.get(action)
            if isinstance(op, dict) and "message" in op:
                out.append((op["message"], doc, join_pointer(pointer, action, "message")))
        for name, message in mapping(channel.get("messages")).items():  # AsyncAPI 3.0
            out.append((message, doc, join_pointer(pointer, "messages", name)))
        return out

    # -------------------------------------------------------------- messages

    def _messages(
        self,
        data: dict[str, Any],
        channels: list[tuple[str, dict[str, Any], Document, str, list[ChannelParameter]]],
    ) -> list[Message]:
        """Every message (components, then channels), each real location once."""
        root = self.doc
        refs: list[tuple[Any, Document, str]] = []
        for name, message in mapping(mapping(data.get("components")).get("messages")).items():
            refs.append((message, root, join_pointer("/components/messages", name)))
        for _, channel, doc, pointer, _ in channels:
            refs.extend(self._channel_message_refs(channel, doc, pointer))
        out: list[Message] = []
        seen: set[_Key] = set()
        for ref, rdoc, rpointer in refs:
            message, doc, pointer = self.follow(ref, rdoc, rpointer)
            if not isinstance(message, dict):
                continue
            key = _key(doc, pointer)
            if key in seen:
                continue
            seen.add(key)
            if isinstance(message.get("oneOf"), list) and "payload" not in message:
                members: list[Message] = []
                for index, sub in enumerate(message["oneOf"]):
                    sub, sdoc, spointer = self.follow(
                        sub, doc, join_pointer(pointer, "oneOf", index)
                    )
                    skey = _key(sdoc, spointer)
                    if isinstance(sub, dict) and skey not in seen:
                        seen.add(skey)
                        member = self._message(sub, sdoc, spointer)
                        out.append(member)
                        members.append(member)
                    elif skey in self.by_location:
                        members.append(self.by_location[skey])
                self.containers[key] = members
                continue
            out.append(self._message(message, doc, pointer))
        return out

    def _resolve(self, ref: Any, doc: Document, pointer: str) -> list[Message]:
        """The message(s) a reference stands for (a `oneOf` gives its members)."""
        _, mdoc, mpointer = self.follow(ref, doc, pointer)
        key = _key(mdoc, mpointer)
        if key in self.containers:
            return self.containers[key]
        found = self.by_location.get(key)
        return [found] if found is not None else []

    def _resolve_one(self, doc: Document, pointer: str) -> Message | None:
        value = self.resolver.lookup(doc, pointer)
        _, mdoc, mpointer = self.follow(value, doc, pointer)
        return self.by_location.get(_key(mdoc, mpointer))

    def _part(
        self,
        message: dict[str, Any],
        doc: Document,
        pointer: str,
        part: str,
        schema_format: tuple[Any, Location | None],
    ) -> tuple[Schema | None, tuple[Any, Location | None]]:
        """The JSON schema of a message's `payload`/`headers` (None if it is not JSON Schema),
        and its schema format with where that is written."""
        if part not in message:
            return None, schema_format
        written = message[part]
        schema, sdoc, spointer = self.follow(written, doc, join_pointer(pointer, part))
        if isinstance(schema, dict) and "schemaFormat" in schema and "schema" in schema:  # 3.0
            schema_format = (
                schema["schemaFormat"],
                Location.at(sdoc, join_pointer(spointer, "schemaFormat")),
            )
            written = schema["schema"]
            schema, sdoc, spointer = self.follow(written, sdoc, join_pointer(spointer, "schema"))
        if schema_format[0] is not None and not is_json_schema_format(schema_format[0]):
            return None, schema_format
        if not isinstance(schema, (dict, bool)):
            return None, schema_format
        return Schema(schema, Location.at(sdoc, spointer), ref_of(written)), schema_format

    def _with_traits(
        self, message: dict[str, Any], doc: Document, pointer: str
    ) -> tuple[dict[str, Any], dict[str, Location], list[tuple[dict[str, Any], Document, str]]]:
        """The message's fields with what its traits add (its own win), where each field is
        written, and the resolved traits."""
        merged = dict(message)
        where = {k: Location.at(doc, join_pointer(pointer, k)) for k in message}
        traits: list[tuple[dict[str, Any], Document, str]] = []
        listed = message.get("traits")
        for index, trait in enumerate(listed if isinstance(listed, list) else []):
            trait, tdoc, tpointer = self.follow(trait, doc, join_pointer(pointer, "traits", index))
            if not isinstance(trait, dict):
                continue
            traits.append((trait, tdoc, tpointer))
            for key in TRAIT_FIELDS:
                if key in trait and key not in merged:
                    merged[key] = trait[key]
                    where[key] = Location.at(tdoc, join_pointer(tpointer, key))
        return merged, where, traits

    def _examples(
        self,
        listed: Any,
        doc: Document,
        pointer: str,
        payload: Schema | None,
        headers: Schema | None,
        *,
        collect: bool = True,
    ) -> list[MessageExample]:
        examples: list[MessageExample] = []
        for index, example in enumerate(listed if isinstance(listed, list) else []):
            example, edoc, epointer = self.follow(
                example, doc, join_pointer(pointer, "examples", index)
            )
            if not isinstance(example, dict):
                continue
            parts: dict[str, Example | None] = {}
            for part, schema in (("payload", payload), ("headers", headers)):
                parts[part] = None
                if part in example:
                    here = Location.at(edoc, join_pointer(epointer, part))
                    found = Example(example[part], here, schema)
                    parts[part] = self.collect(found) if collect else found
            examples.append(
                MessageExample(
                    name=optional_text(example.get("name")),
                    payload=parts["payload"],
                    headers=parts["headers"],
                    location=Location.at(edoc, epointer),
                    raw=example,
                    summary=text(example.get("summary")),
                )
            )
        return examples

    def _message(self, message: dict[str, Any], doc: Document, pointer: str) -> Message:
        merged, where, traits = self._with_traits(message, doc, pointer)
        declared = (merged.get("schemaFormat"), where.get("schemaFormat"))
        payload, payload_format = self._part(message, doc, pointer, "payload", declared)
        headers, _ = self._part(message, doc, pointer, "headers", declared)
        for schema in (payload, headers):
            if schema is not None:
                self.schema_examples(schema.value, schema.location.doc, schema.location.pointer)
        examples = self._examples(message.get("examples"), doc, pointer, payload, headers)
        trait_examples: list[MessageExample] = []
        if "examples" not in message:
            for trait, tdoc, tpointer in traits:
                if "examples" in trait:
                    trait_examples = self._examples(
                        trait["examples"], tdoc, tpointer, payload, headers, collect=False
                    )
                    break
        correlation, _, _ = self.follow(
            merged.get("correlationId"), doc, join_pointer(pointer, "correlationId")
        )
        node = Message(
            key=self._component_key(doc, pointer),
            name=optional_text(merged.get("name")),
            message_id=optional_text(merged.get("messageId")),
            content_type=optional_text(merged.get("contentType")),
            schema_format=optional_text(merged.get("schemaFormat")),
            payload=payload,
            headers=headers,
            examples=examples,
            has_examples=self._has_examples(message, doc, pointer),
            bindings=mapping(message.get("bindings")),
            extensions=self.extensions(message, doc, pointer),
            location=Location.at(doc, pointer),
            raw=message,
            title=text(merged.get("title")),
            summary=text(merged.get("summary")),
            description=text(merged.get("description")),
            payload_format=optional_text(payload_format[0]),
            payload_format_location=payload_format[1],
            trait_examples=trait_examples,
            correlation_id=optional_text(mapping(correlation).get("location")),
        )
        self.by_location[_key(doc, pointer)] = node
        return node

    def _component_key(self, doc: Document, pointer: str) -> str | None:
        prefix = "/components/messages/"
        if doc is self.doc and pointer.startswith(prefix) and "/" not in pointer[len(prefix) :]:
            return pointer[len(prefix) :].replace("~1", "/").replace("~0", "~")
        return None

    def _has_examples(self, message: dict[str, Any], doc: Document, pointer: str) -> bool:
        if isinstance(message.get("examples"), list) and message["examples"]:
            return True
        traits = message.get("traits")
        for index, trait in enumerate(traits if isinstance(traits, list) else []):
            trait, _, _ = self.follow(trait, doc, join_pointer(pointer, "traits", index))
            examples = trait.get("examples") if isinstance(trait, dict) else None
            if isinstance(examples, list) and examples:
                return True
        return False

    # -------------------------------------------------------------- operations and servers

    def _v2_operation(
        self, channel: Channel, action: str, op: dict[str, Any], pointer: str
    ) -> AsyncOperation:
        doc = channel.location.doc
        messages = (
            self._resolve(op["message"], doc, join_pointer(pointer, "message"))
            if "message" in op
            else []
        )
        return AsyncOperation(
            key=f"{channel.key}/{action}",
            action=action,
            channel=channel,
            operation_id=optional_text(op.get("operationId")),
            messages=messages,
            reply=None,
            reply_messages=[],
            bindings=mapping(op.get("bindings")),
            extensions=self.extensions(op, doc, pointer),
            location=Location.at(doc, pointer),
            raw=op,
            summary=text(op.get("summary")),
            description=text(op.get("description")),
        )

    def _v3_operation(
        self,
        key: str,
        op: dict[str, Any],
        doc: Document,
        pointer: str,
        channels: dict[_Key, Channel],
    ) -> AsyncOperation:
        channel = None
        if "channel" in op:
            _, cdoc, cpointer = self.follow(op["channel"], doc, join_pointer(pointer, "channel"))
            channel = channels.get(_key(cdoc, cpointer))
        messages: list[Message] = []
        raw_messages = op.get("messages")
        for index, ref in enumerate(raw_messages if isinstance(raw_messages, list) else []):
            messages.extend(self._resolve(ref, doc, join_pointer(pointer, "messages", index)))
        if not raw_messages and channel is not None:
            messages = list(channel.messages)  # none listed: every message of the channel
        reply, rdoc, rpointer = self.follow(op.get("reply"), doc, join_pointer(pointer, "reply"))
        reply_messages: list[Message] = []
        listed = reply.get("messages") if isinstance(reply, dict) else None
        for index, ref in enumerate(listed if isinstance(listed, list) else []):
            where = join_pointer(rpointer, "messages", index)
            reply_messages.extend(self._resolve(ref, rdoc, where))
        return AsyncOperation(
            key=key,
            action=text(op.get("action")),
            channel=channel,
            operation_id=key,
            messages=messages,
            reply=reply if isinstance(reply, dict) else None,
            reply_messages=reply_messages,
            bindings=mapping(op.get("bindings")),
            extensions=self.extensions(op, doc, pointer),
            location=Location.at(doc, pointer),
            raw=op,
            title=text(op.get("title")),
            summary=text(op.get("summary")),
            description=text(op.get("description")),
            reply_location=Location.at(rdoc, rpointer) if isinstance(reply, dict) else None,
        )

    def _servers(self, servers: dict[str, Any]) -> list[AsyncServer]:
        out: list[AsyncServer] = []
        for name, server in servers.items():
            server, doc, pointer = self.follow(server, self.doc, join_pointer("/servers", name))
            if not isinstance(server, dict):
                continue
            url = server.get("url")
            if not isinstance(url, str):
                url = text(server.get("host")) + text(server.get("pathname"))
            security: list[SecurityRequirement] = []
            for requirement in mapping_list(server.get("security")):
                security.append(
                    {
                        str(k): [str(s) for s in v] if isinstance(v, list) else []
                        for k, v in requirement.items()
                    }
                )
            variables: dict[str, Any] = {}
            for var, value in mapping(server.get("variables")).items():
                value, _, _ = self.follow(value, doc, join_pointer(pointer, "variables", var))
                variables[str(var)] = value
            out.append(
                AsyncServer(
                    name=str(name),
                    url=url,
                    protocol=text(server.get("protocol")),
                    variables=variables,
                    security=security,
                    bindings=mapping(server.get("bindings")),
                    location=Location.at(doc, pointer),
                    raw=server,
                )
            )
        return out


def mapping_list(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []
