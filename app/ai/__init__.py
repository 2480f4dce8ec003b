"""AI image generation: providers behind one Protocol, prompt safety, and sizing (no Flask, no DB).

The storefront and the ``ai`` queue job (``app.generation``, ``jobs.ai``) use these pieces; the
provider is chosen by configuration (:func:`app.ai.providers.provider_from_config`) and is never
swapped silently: if OpenAI is configured and fails, the generation fails.
"""
