"""Normalizers that turn free-text expressions (dates) into plain values for the records."""
