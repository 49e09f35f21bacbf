"""A small spec whose answers the mock must synthesise (unit/test_mock_synth.py and
sdk/test_mock_answers.py): allOf, oneOf (also of open objects), enums, bounds, formats, recursion, a quoted example, a
concrete path next to a templated one, a server path prefix."""

from __future__ import annotations

SPEC = """\
openapi: 3.0.3
info: {title: synth, version: "1"}
servers: [{url: "https://api.example.com/api/v2"}]
paths:
  /items/{id}:
    get:
      operationId: getItem
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Item"}
  /items/latest:
    get:
      operationId: latestItem
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Quoted"}
              example: '{"id": "a1", "price": "1.5"}'
  /tree:
    get:
      operationId: tree
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Node"}
  /nothing:
    delete:
      operationId: deleteNothing
      responses:
        "204": {description: gone}
components:
  schemas:
    Item:
      allOf:
        - {$ref: "#/components/schemas/Base"}
        - type: object
          required: [kind, count, tags, when]
          properties:
            kind: {type: string, enum: [spot, margin]}
            count: {type: integer, minimum: 3, multipleOf: 2}
            ratio: {type: number, exclusiveMinimum: true, minimum: 0, maximum: 1}
            tags: {type: array, minItems: 2, items: {type: string, minLength: 8}}
            when: {type: string, format: date-time}
            id: {type: string, format: uuid}
            short: {type: string, maxLength: 3}
            secret: {type: string, writeOnly: true}
            extra: {type: object, additionalProperties: {type: integer}}
            choice:
              oneOf:
                - {type: object, required: [a], properties: {a: {type: string}}}
                - {type: object, required: [b], properties: {b: {type: integer}}, additionalProperties: false}
            price: {type: string, example: 12}
    Base:
      type: object
      required: [name]
      properties:
        name: {type: string, example: widget}
        note: {type: string, nullable: true}
    Quoted:
      type: object
      required: [id, price]
      properties: {id: {type: string}, price: {type: string}}
    Either:  # like Binance's answers: open objects, no `required`, so each accepts the other's
      type: array
      items:
        oneOf:
          - {$ref: "#/components/schemas/Order"}
          - {$ref: "#/components/schemas/Failure"}
    Order:
      type: object
      properties: {orderId: {type: integer}, symbol: {type: string}}
    Failure:
      type: object
      properties: {code: {type: integer}, msg: {type: string}}
    Node:
      type: object
      required: [value]
      properties:
        value: {type: integer}
        children: {type: array, items: {$ref: "#/components/schemas/Node"}}
"""
