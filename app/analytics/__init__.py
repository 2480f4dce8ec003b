"""Analytics merchants can act on (issue #23): counters recorded cheaply, read per shop.

``events`` records: a widget batch or an ordered design becomes one set-based upsert of daily
counters (``models/analytics.py``). ``report`` reads a shop's (or one template's) counters,
surcharge revenue and AI generations over a date range; ``charts`` draws a series as inline SVG
(pure); ``export`` writes the same figures as CSV. Nothing recorded names a shopper.
"""
