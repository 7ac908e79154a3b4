"""``careatlas validate``: a run's county figures against published references (docs/validation.md)."""
