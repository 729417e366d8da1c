"""Shipped configuration: settings and the editable alert code table."""
