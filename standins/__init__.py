"""Local stand-ins for the platforms across the internet Luneo talks to (Shopify for now).

Each one serves a platform's documented HTTP surface on 127.0.0.1 from memory: the tests use
them instead of the real services, and ``luneo dev`` backs the demo shop with one, so a fresh
checkout shows every flow working without a store on the internet. Development and tests only:
nothing in ``app``, ``connectors`` or ``jobs`` imports them, and they need the ``dev`` extra
(graphql-core).
"""
