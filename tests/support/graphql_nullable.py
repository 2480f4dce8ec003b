"""What a GraphQL document may legally get back as ``null``, and answers built from the schema.

``nullable_paths`` walks a document's selection (fragments and inline fragments included) beside
the schema and lists every response path whose type is nullable: a field without ``!`` or a list
element without ``!``. ``sample_answer`` builds a schema-conforming ``data`` for the document, and
``with_null`` sets one such path to ``null`` wherever it occurs, so a test can feed the parser
every ``null`` Shopify is allowed to send.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLField,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLType,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    is_leaf_type,
    parse,
)

EACH = "*"  # a path step meaning "every element of the list"

SCALARS: Mapping[str, Any] = {
    "ID": None,  # a gid of the owning type, see _scalar
    "String": "text",
    "Int": 1,
    "Float": 1.0,
    "Boolean": False,  # hasNextPage false: one page
    "DateTime": "2026-01-02T03:04:05Z",
    "Date": "2026-01-02",
    "Decimal": "12.50",
    "Money": "12.50",
    "URL": "https://cdn.example.test/file.png",
    "HTML": "<p>text</p>",
    "JSON": {},
    "UnsignedInt64": "1",
}
# The enum value an answer carries when the enum has it (else its first value).
ENUM_PREFERENCES = ("OPEN", "ACTIVE", "COMPLETED", "PRODUCT", "EUR", "PAID")
EMPTY_LISTS = frozenset({"userErrors"})  # a successful mutation answers no user errors


@dataclass(frozen=True)
class NullablePath:
    document: str
    path: tuple[str, ...]
    type_name: str
    leaf: bool  # a scalar/enum (else an object, interface or union)

    def __str__(self) -> str:
        return f"{self.document}:{'.'.join(self.path)}"


def _fragments(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def _operation(schema: GraphQLSchema, document: DocumentNode) -> tuple[GraphQLObjectType, Any]:
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    root = schema.mutation_type if operation.operation.value == "mutation" else schema.query_type
    assert root is not None
    return root, operation.selection_set


def _fields(
    schema: GraphQLSchema,
    parent: GraphQLNamedType,
    selection_set: SelectionSetNode,
    fragments: Mapping[str, FragmentDefinitionNode],
) -> Iterator[tuple[str, GraphQLNamedType, GraphQLField]]:
    """(response key, owning type, field definition) of each selected field."""
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            if selection.name.value == "__typename":
                continue
            fields = getattr(parent, "fields", {})
            key = (selection.alias or selection.name).value
            yield key, parent, fields[selection.name.value]
        elif isinstance(selection, InlineFragmentNode | FragmentSpreadNode):
            if isinstance(selection, FragmentSpreadNode):
                fragment: Any = fragments[selection.name.value]
            else:
                fragment = selection
            condition = fragment.type_condition
            owner = schema.get_type(condition.name.value) if condition else parent
            assert owner is not None
            yield from _fields(schema, owner, fragment.selection_set, fragments)


def _children(selection_set: SelectionSetNode, key: str) -> list[SelectionSetNode]:
    """The selection sets under response key ``key`` (from fragments too)."""
    found: list[SelectionSetNode] = []
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            if (selection.alias or selection.name).value == key and selection.selection_set:
                found.append(selection.selection_set)
        elif isinstance(selection, InlineFragmentNode):
            found.extend(_children(selection.selection_set, key))
    return found


def _merged(selection_set: SelectionSetNode, fragments: Mapping[str, Any]) -> SelectionSetNode:
    """The selection with named fragments inlined (so _children finds their fields)."""
    selections: list[Any] = []
    for selection in selection_set.selections:
        if isinstance(selection, FragmentSpreadNode):
            fragment = fragments[selection.name.value]
            selections.append(
                InlineFragmentNode(
                    type_condition=fragment.type_condition,
                    selection_set=_merged(fragment.selection_set, fragments),
                )
            )
        elif isinstance(selection, InlineFragmentNode):
            selections.append(
                InlineFragmentNode(
                    type_condition=selection.type_condition,
                    selection_set=_merged(selection.selection_set, fragments),
                )
            )
        elif isinstance(selection, FieldNode) and selection.selection_set is not None:
            selections.append(
                FieldNode(
                    alias=selection.alias,
                    name=selection.name,
                    arguments=selection.arguments,
                    directives=selection.directives,
                    selection_set=_merged(selection.selection_set, fragments),
                )
            )
        else:
            selections.append(selection)
    return SelectionSetNode(selections=tuple(selections))


def _walk(
    schema: GraphQLSchema,
    name: str,
    parent: GraphQLNamedType,
    selection_set: SelectionSetNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    prefix: tuple[str, ...],
) -> Iterator[NullablePath]:
    for key, _owner, field in _fields(schema, parent, selection_set, fragments):
        path = (*prefix, key)
        kind: GraphQLType = field.type
        named = get_named_type(kind)
        leaf = is_leaf_type(named)
        while True:
            if not isinstance(kind, GraphQLNonNull):
                yield NullablePath(
                    name, path, named.name, leaf and not isinstance(kind, GraphQLList)
                )
            else:
                kind = kind.of_type
            if isinstance(kind, GraphQLList):
                path, kind = (*path, EACH), kind.of_type
                continue
            break
        for child in _children(selection_set, key):
            yield from _walk(schema, name, named, child, fragments, path)


def nullable_paths(schema: GraphQLSchema, name: str, text: str) -> list[NullablePath]:
    """Every response path of document ``name`` that the schema allows to be ``null``."""
    document = parse(text)
    fragments = _fragments(document)
    root, selection_set = _operation(schema, document)
    merged = _merged(selection_set, fragments)
    return sorted(set(_walk(schema, name, root, merged, fragments, ())), key=str)


def _scalar(named: GraphQLNamedType, owner: GraphQLNamedType) -> Any:
    if isinstance(named, GraphQLEnumType):
        values = list(named.values)
        return next((v for v in ENUM_PREFERENCES if v in values), values[0])
    if named.name == "ID":
        return f"gid://shopify/{owner.name}/1"
    return SCALARS.get(named.name, "text")


def _value(
    schema: GraphQLSchema,
    key: str,
    kind: GraphQLType,
    owner: GraphQLNamedType,
    selection_set: SelectionSetNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    empty: frozenset[str] = EMPTY_LISTS,
) -> Any:
    if isinstance(kind, GraphQLNonNull):
        kind = kind.of_type
    if isinstance(kind, GraphQLList):
        if key in empty:
            return []
        return [_value(schema, key, kind.of_type, owner, selection_set, fragments, empty)]
    named = get_named_type(kind)
    if is_leaf_type(named):
        return _scalar(named, owner)
    children = _children(selection_set, key)
    answer: dict[str, Any] = {}
    for child in children:
        for child_key, child_owner, field in _fields(schema, named, child, fragments):
            answer[child_key] = _value(
                schema, child_key, field.type, child_owner, child, fragments, empty
            )
    return answer


def sample_answer(
    schema: GraphQLSchema, text: str, empty: frozenset[str] = EMPTY_LISTS
) -> dict[str, Any]:
    """A ``data`` object for ``text`` with every selected field present: one element per list,
    none for the lists named in ``empty`` (by default, a mutation's ``userErrors``)."""
    document = parse(text)
    fragments = _fragments(document)
    root, selection_set = _operation(schema, document)
    merged = _merged(selection_set, fragments)
    return {
        key: _value(schema, key, field.type, owner, merged, fragments, empty)
        for key, owner, field in _fields(schema, root, merged, fragments)
    }


def with_null(data: Any, path: tuple[str, ...]) -> Any:
    """A copy of ``data`` with ``path`` set to ``null`` wherever it occurs."""
    data = copy.deepcopy(data)

    def visit(node: Any, steps: tuple[str, ...]) -> None:
        head, rest = steps[0], steps[1:]
        if head == EACH:
            if isinstance(node, list):
                for index, item in enumerate(node):
                    if rest:
                        visit(item, rest)
                    else:
                        node[index] = None
            return
        if not isinstance(node, dict) or head not in node:
            return
        if rest:
            visit(node[head], rest)
        else:
            node[head] = None

    visit(data, path)
    return data
