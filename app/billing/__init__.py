"""Plans, quotas and the billing providers that collect for them (Shopify Billing API, Stripe)."""
