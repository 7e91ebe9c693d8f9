"""Typed connector parameters: field kinds, coercion, validation and JSON Schema.

Knows no tracker: a tracker module declares its fields with these kinds, and forms,
validation, the API and its JSON Schema are derived from that one declaration.
"""
