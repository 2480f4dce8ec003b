"""Everything Shopify-specific on the web side: install/OAuth and token exchange, session
tokens for the embedded admin, and webhooks. Signatures are verified in ``signatures``."""
