"""Every GraphQL document Luneo sends to the Shopify Admin API, in one place.

The test suite validates each one against the Admin schema of the version Luneo declares, so a
field Shopify does not have fails in CI, not at a merchant. Page sizes keep every document's
*requested* cost (objects = 1, connections = 2 + first x child cost) well under the 1,000-point
single-query limit; what the bucket finally charges is the *actual* cost of what came back.
"""

from __future__ import annotations

# Page sizes; requested cost in the comment next to each document.
PRODUCTS_PAGE = 10
VARIANTS_PAGE = 40
VARIANTS_REST_PAGE = 250
ORDERS_PAGE = 10
LINES_PAGE = 12
LINES_REST_PAGE = 100
EVENTS_PAGE = 100

_VARIANT_FIELDS = """
fragment LuneoVariant on ProductVariant {
  id
  title
  sku
  price
  position
  selectedOptions { name value }
}
"""

_PRODUCT_FIELDS = (
    """
fragment LuneoProduct on Product {
  id
  title
  handle
  status
  vendor
  productType
  description
  updatedAt
  featuredMedia { preview { image { url } } }
  variants(first: $variantsFirst) {
    pageInfo { hasNextPage endCursor }
    nodes { ...LuneoVariant }
  }
}
"""
    + _VARIANT_FIELDS
)

# The products query's requested cost, 3 + first x (6 + 2 x variantsFirst), as (per page, per
# product, per variant): shop 1 + products 2; a product 1 + featuredMedia > preview > image 3 +
# variants 2; a variant 1 + selectedOptions 1. connectors/shopify/paging.py picks the page sizes
# from it, calibrated by what Shopify reports; a unit test checks it against the cost model.
PRODUCTS_COST = (3, 6, 2)

# ~3 + 10 x (6 + 40 x 2) = 863 at the first page; later pages are sized from the reported cost
PRODUCTS = (
    """
query LuneoProducts($first: Int!, $after: String, $query: String, $variantsFirst: Int!) {
  shop { currencyCode }
  products(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes { ...LuneoProduct }
  }
}
"""
    + _PRODUCT_FIELDS
)

# ~1 + 6 + 250 x 2 = 507
PRODUCT = (
    """
query LuneoProductById($id: ID!, $variantsFirst: Int!) {
  shop { currencyCode }
  product(id: $id) { ...LuneoProduct }
}
"""
    + _PRODUCT_FIELDS
)

# ~1 + 2 + 250 x 2 = 503: the variants past the first page of a product with many of them.
PRODUCT_VARIANTS = (
    """
query LuneoProductVariants($id: ID!, $first: Int!, $after: String) {
  product(id: $id) {
    variants(first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { ...LuneoVariant }
    }
  }
}
"""
    + _VARIANT_FIELDS
)

PRODUCTS_COUNT = """
query LuneoProductsCount($query: String) {
  productsCount(query: $query, limit: null) { count precision }
}
"""

SHOP_CURRENCY = """
query LuneoShopCurrency {
  shop { currencyCode }
}
"""

# Deletions whose webhook may have been lost; event data is kept for a year.
PRODUCT_DELETIONS = """
query LuneoProductDeletions($first: Int!, $after: String, $query: String) {
  events(first: $first, after: $after, query: $query, sortKey: CREATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes {
      ... on BasicEvent { subjectId subjectType action createdAt }
    }
  }
}
"""

# The bulk export of the whole catalog. Bulk queries take no page sizes and must select
# connections through edges > node; children come back as their own JSONL lines carrying
# ``__parentId``.
BULK_PRODUCTS = """
{
  products {
    edges {
      node {
        id
        title
        handle
        status
        vendor
        productType
        description
        updatedAt
        featuredMedia { preview { image { url } } }
        variants {
          edges {
            node {
              id
              title
              sku
              price
              position
              selectedOptions { name value }
            }
          }
        }
      }
    }
  }
}
"""

BULK_RUN = """
mutation LuneoBulkRun($query: String!) {
  bulkOperationRunQuery(query: $query) {
    bulkOperation { id status }
    userErrors { field message code }
  }
}
"""

BULK_OPERATION = """
query LuneoBulkOperation($id: ID!) {
  bulkOperation(id: $id) {
    id
    status
    errorCode
    objectCount
    rootObjectCount
    url
    partialDataUrl
  }
}
"""

_LINE_FIELDS = """
fragment LuneoLine on LineItem {
  id
  name
  sku
  quantity
  customAttributes { key value }
  originalUnitPriceSet { shopMoney { amount currencyCode } }
  product { id }
  variant { id }
}
"""

_ORDER_FIELDS = (
    """
fragment LuneoOrder on Order {
  id
  name
  email
  processedAt
  updatedAt
  cancelledAt
  displayFinancialStatus
  displayFulfillmentStatus
  totalPriceSet { shopMoney { amount currencyCode } }
  shippingAddress {
    name company address1 address2 city province provinceCode zip countryCodeV2 phone
  }
  lineItems(first: $linesFirst) {
    pageInfo { hasNextPage endCursor }
    nodes { ...LuneoLine }
  }
}
"""
    + _LINE_FIELDS
)

# ~2 + 10 x (6 + 12 x 6) = 782
ORDERS = (
    """
query LuneoOrders($first: Int!, $after: String, $query: String, $linesFirst: Int!) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes { ...LuneoOrder }
  }
}
"""
    + _ORDER_FIELDS
)

# ~1 + 6 + 100 x 6 = 607
ORDER = (
    """
query LuneoOrderById($id: ID!, $linesFirst: Int!) {
  order(id: $id) { ...LuneoOrder }
}
"""
    + _ORDER_FIELDS
)

# ~1 + 2 + 100 x 6 = 603
ORDER_LINES = (
    """
query LuneoOrderLines($id: ID!, $first: Int!, $after: String) {
  order(id: $id) {
    lineItems(first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { ...LuneoLine }
    }
  }
}
"""
    + _LINE_FIELDS
)

ORDERS_COUNT = """
query LuneoOrdersCount($query: String) {
  ordersCount(query: $query, limit: null) { count precision }
}
"""

# ~1 + 2 + 5 x (3 + 2 + 50 x 2) = 528
FULFILLMENT_ORDERS = """
query LuneoFulfillmentOrders($id: ID!) {
  order(id: $id) {
    id
    fulfillmentOrders(first: 5) {
      nodes {
        id
        status
        assignedLocation { location { id } }
        lineItems(first: 50) {
          nodes { id remainingQuantity lineItem { id } }
        }
      }
    }
  }
}
"""

FULFILLMENT_CREATE = """
mutation LuneoFulfillmentCreate($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) {
    fulfillment { id status trackingInfo { number url company } }
    userErrors { field message }
  }
}
"""

# Replaces a fulfillment's tracking (carrier, number, URL); the customer hears of the change.
FULFILLMENT_TRACKING_UPDATE = """
mutation LuneoFulfillmentTrackingUpdate(
  $fulfillmentId: ID!
  $trackingInfoInput: FulfillmentTrackingInput!
  $notifyCustomer: Boolean
) {
  fulfillmentTrackingInfoUpdate(
    fulfillmentId: $fulfillmentId
    trackingInfoInput: $trackingInfoInput
    notifyCustomer: $notifyCustomer
  ) {
    fulfillment { id trackingInfo { number url company } }
    userErrors { field message }
  }
}
"""

METAFIELDS_SET = """
mutation LuneoOrderFiles($metafields: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $metafields) {
    metafields { id namespace key }
    userErrors { field message code }
  }
}
"""

# Every document Luneo sends, by name (the schema test walks this).
ALL = {
    "PRODUCTS": PRODUCTS,
    "PRODUCT": PRODUCT,
    "PRODUCT_VARIANTS": PRODUCT_VARIANTS,
    "PRODUCTS_COUNT": PRODUCTS_COUNT,
    "SHOP_CURRENCY": SHOP_CURRENCY,
    "PRODUCT_DELETIONS": PRODUCT_DELETIONS,
    "BULK_PRODUCTS": BULK_PRODUCTS,
    "BULK_RUN": BULK_RUN,
    "BULK_OPERATION": BULK_OPERATION,
    "ORDERS": ORDERS,
    "ORDER": ORDER,
    "ORDER_LINES": ORDER_LINES,
    "ORDERS_COUNT": ORDERS_COUNT,
    "FULFILLMENT_ORDERS": FULFILLMENT_ORDERS,
    "FULFILLMENT_CREATE": FULFILLMENT_CREATE,
    "FULFILLMENT_TRACKING_UPDATE": FULFILLMENT_TRACKING_UPDATE,
    "METAFIELDS_SET": METAFIELDS_SET,
}
