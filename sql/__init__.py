"""The DuckDB SQL of zhian, shipped as package data (read with importlib.resources)."""
