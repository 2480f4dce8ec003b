"""Page sizes for the product listing, chosen from the cost Shopify reported for the last page.

Shopify charges a query its *actual* cost (what came back) but runs it only if the bucket holds
its *requested* cost (objects 1, connections 2 + ``first`` x item), and refuses outright any
query whose requested cost is over the single-query limit (1,000; ``MAX_COST_EXCEEDED``). The
products query asks for ``first`` products with ``variantsFirst`` variants each, so its requested
cost is about ``3 + first x (6 + 2 x variantsFirst)`` (``queries.PRODUCTS_COST``). A fixed
``variantsFirst`` of 40 allows 11 products a page; a catalog whose products have 3 variants
pays for 40 and reads 11 products per round trip.

``ProductPages`` starts from the fixed sizes and after each page:

* calibrates the cost model to what Shopify said (``requestedQueryCost`` against the model's
  estimate for the sizes sent: Shopify's word wins when it charges more);
* keeps the variant counts it saw (a product whose variants did not all fit counts as "more");
* picks ``variantsFirst`` among those counts to minimise round trips per product: a page of
  ``first(v)`` products costs one request, and each product with more than ``v`` variants one
  more (its remaining variants are read separately);
* makes ``first`` the largest page whose requested cost stays under the query limit and the
  bucket's size (``maximumAvailable``), at most 250 (Shopify's largest page).

The points actually charged hardly change with the page size (each product costs what it
returns); what shrinks is the number of round trips and the points asked for but refunded. The
client still waits before each page until the bucket holds its requested cost (from
``currentlyAvailable`` and ``restoreRate``). ``MAX_COST_EXCEEDED`` (a model that guessed low)
tells the real cost and limit: the page is retried at the size they allow.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from connectors.shopify import queries

MAX_PAGE = 250  # Shopify's largest `first`
QUERY_COST_LIMIT = 1000  # the single-query requested-cost limit


@dataclass(frozen=True)
class PageSize:
    first: int
    variants_first: int


class ProductPages:
    """The next products page's ``first``/``variantsFirst`` from the answers seen so far."""

    def __init__(
        self,
        *,
        first: int = queries.PRODUCTS_PAGE,
        variants_first: int = queries.VARIANTS_PAGE,
        max_page: int = MAX_PAGE,
        cost_limit: float = QUERY_COST_LIMIT,
        max_variants: int = queries.VARIANTS_REST_PAGE,
    ) -> None:
        self.overhead, self.per_product, self.per_variant = queries.PRODUCTS_COST
        self.max_page = max_page
        self.cost_limit = cost_limit
        self.max_variants = max_variants
        self.bucket: float | None = None  # maximumAvailable, when reported
        self.scale = 1.0  # Shopify's requested cost / the model's estimate
        self.counts: Counter[int] = Counter()  # variant count (or more-than) -> products
        self.size = PageSize(first, variants_first)

    # ---------------------------------------------------------------------- the model
    def estimate(self, size: PageSize) -> float:
        """The requested cost of a page of this size, as calibrated."""
        item = self.per_product + self.per_variant * size.variants_first
        return self.scale * (self.overhead + size.first * item)

    def _limit(self) -> float:
        return min(self.cost_limit, self.bucket) if self.bucket else self.cost_limit

    def largest_first(self, variants_first: int) -> int:
        """The most products per page whose requested cost stays within the limits."""
        item = self.scale * (self.per_product + self.per_variant * variants_first)
        room = self._limit() - self.scale * self.overhead
        return max(1, min(self.max_page, int(room // item)))

    def _round_trips(self, variants_first: int) -> float:
        """Expected requests per product with this ``variantsFirst``: its share of a page, and
        one more for each product whose variants would not all fit."""
        seen = sum(self.counts.values())
        over = sum(n for count, n in self.counts.items() if count > variants_first)
        return 1 / self.largest_first(variants_first) + (over / seen if seen else 0.0)

    # ---------------------------------------------------------------------- learning
    def observe(
        self,
        size: PageSize,
        variant_counts: list[int],
        *,
        requested: float | None,
        maximum_available: float | None = None,
    ) -> PageSize:
        """Learn from one answered page; the size for the next one.

        ``variant_counts``: per product returned, how many variants came back, or
        ``variants_first + 1`` for a product whose variants had a next page.
        """
        if maximum_available:
            self.bucket = maximum_available
        if requested:
            self.scale *= requested / self.estimate(size)  # Shopify's figure for this size
        self.counts.update(variant_counts)
        self.size = self._choose()
        return self.size

    def exceeded(self, size: PageSize, cost: float | None, limit: float | None) -> PageSize:
        """Shopify refused a page as too costly (``MAX_COST_EXCEEDED``): a size it allows."""
        if limit:
            self.cost_limit = min(self.cost_limit, limit)
        estimate = self.estimate(size)
        if cost and cost > estimate:
            self.scale *= cost / estimate
        chosen = self._choose()
        if chosen.first >= size.first and chosen.variants_first >= size.variants_first:
            chosen = PageSize(max(1, size.first // 2), chosen.variants_first)
        self.size = chosen
        return chosen

    def _choose(self) -> PageSize:
        candidates = {c for c in self.counts if 1 <= c <= self.max_variants} or {
            self.size.variants_first
        }
        best = min(sorted(candidates, reverse=True), key=self._round_trips)
        return PageSize(self.largest_first(best), best)
