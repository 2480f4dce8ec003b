"""The admin order page shows the ordered design on every view of its areas: production keeps
storing the first (the area's mockup); the others are drawn when the page asks for them."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable

from flask.testing import FlaskClient
from PIL import Image
from rq.job import Job
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import FileKind, PrintAreaView, ProductionFile, StoredFile
from app.storage import Storage
from tests.factories import make_shop

from .conftest import RECT, make_setup, png, put_file
from .test_admin_order import sign_in


def test_every_view_of_the_ordered_design_is_on_the_order_page(
    client: FlaskClient, session: Session, storage: Storage, produce: Callable[..., Job]
) -> None:
    setup = make_setup(session, storage, layers=[RECT])
    area = setup.template.print_areas[0]
    back = put_file(session, storage, setup.shop, png((300, 150), (90, 90, 90)), FileKind.MOCKUP)
    area.views.append(
        PrintAreaView(
            shop_id=setup.shop.id,
            name="Back",
            mockup_file_id=back.id,
            placement={"x": 200, "y": 100, "width": 80, "height": 40},
        )
    )
    session.commit()
    produce(setup.job)
    sign_in(client, setup.shop)

    page = client.get(f"/admin/orders/{setup.order.id}")

    assert page.status_code == 200
    found = re.search(
        r'data-order-view="Front · Back">.*?<img src="([^"]+)" alt="The design on the view: '
        r'Front · Back"',
        page.text,
        re.S,
    )
    assert found is not None
    picture = client.get(html.unescape(found.group(1)))
    assert (picture.status_code, picture.mimetype) == (200, "image/png")
    shown = Image.open(io.BytesIO(picture.data)).convert("RGB")
    assert shown.size == (300, 150)  # the view's own picture
    assert shown.getpixel((205, 105)) == (255, 0, 0)  # the design where the area sits on it
    assert shown.getpixel((100, 50)) == (90, 90, 90)

    # production's stored preview is still the first view: the area's mockup
    stmt = (
        select(StoredFile)
        .join(ProductionFile, ProductionFile.stored_file_id == StoredFile.id)
        .where(ProductionFile.format == "preview")
    )
    stored = session.scalars(stmt).all()
    assert len(stored) == 1
    with storage.open(stored[0].key) as handle:
        assert Image.open(handle).size == (200, 100)

    # a view the area does not have, another order's path, another shop: not found
    url = html.unescape(found.group(1))
    assert client.get(url.replace("/views/front/1.png", "/views/front/2.png")).status_code == 404
    assert client.get(url.replace("/views/front/1.png", "/views/front/0.png")).status_code == 404
    assert client.get(url.replace("/views/front/", "/views/back/")).status_code == 404
    wrong_order = url.replace(f"/orders/{setup.order.id}/", f"/orders/{setup.order.id + 99}/")
    assert client.get(wrong_order).status_code == 404
    other = make_shop(session)
    session.commit()
    sign_in(client, other)
    assert client.get(url).status_code == 404
