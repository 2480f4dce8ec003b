"""Platform adapters (Shopify, WooCommerce) behind one Protocol: HTTP in, plain records out.

No Flask and no database here: a connector is given a shop's credentials and returns
dataclasses; jobs/ persist them.
"""
