"""Product templates, the merchant's side of personalisation: what a template holds, how it changes.

``service`` makes a product customizable and saves the editor's values (checked first by
``editor_input`` against the option catalogs in ``catalog_options``); ``document`` is the one shape
the admin editor and the storefront widget read; ``render_spec`` turns the rows into the render
core's ``TemplateSpec`` (``app.design.template``) with their mockup images. The rows themselves are
``app.models.template``.
"""
