"""`x-pagination` read from the REST spec: the paging parameters and the items' model; mistakes
are located errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support import dump_yaml, load_yaml

from generator.load import Resolver, load_document
from generator.model.openapi import build_rest_api
from generator.problems import SpecError

SPECS = Path(__file__).resolve().parents[2] / "specs"
OP = "/paths/~1p2~1market.user_deals/post"


def _build(path: Path):  # type: ignore[no-untyped-def]
    doc = load_document(path)
    return build_rest_api(doc, Resolver(doc), "pkg")[0]


def test_the_spec_pages_by_offset_and_limit() -> None:
    api = _build(SPECS / "hotbit-rest.openapi.yaml")
    paged = {op.operation_id: op.pagination for op in api.operations if op.pagination}
    assert set(paged) == {"order_deals", "order_finished", "market_user_deals", "order_book"}
    pg = paged["market_user_deals"]
    assert (pg.offset, pg.limit, pg.items, str(pg.item)) == (
        "offset",
        "limit",
        "records",
        "models.UserDeal",
    )
    assert str(paged["order_book"].item) == "models.Order"


@pytest.mark.parametrize(
    ("change", "key", "message"),
    [
        ({"items": "nope"}, "items", "'nope' is not a list field of the result UserDealPage"),
        ({"limit": "market"}, "limit", "'market' is not an integer parameter"),
    ],
)
def test_mistakes_are_located(
    tmp_path: Path, change: dict[str, str], key: str, message: str
) -> None:
    shutil.copytree(SPECS, tmp_path / "specs")
    path = tmp_path / "specs" / "hotbit-rest.openapi.yaml"
    doc = load_yaml(path)
    doc["paths"]["/p2/market.user_deals"]["post"]["x-pagination"].update(change)
    path.write_text(dump_yaml(doc))
    with pytest.raises(SpecError) as info:
        _build(path)
    problem = info.value.problems[0]
    assert problem.pointer == f"{OP}/x-pagination/{key}" and message in problem.message
