"""CareAtlas common library: infrastructure and contracts only. Settings, logging, lake storage,
key layout, the dataset catalog, the Celery app, fetching URLs under one rule and finding reference
files on disk.

No business logic lives here: NPPES knowledge is ``careatlas.nppes``, a run's lifecycle
``careatlas.runs`` (both shipped in this distribution); each service owns its own behaviour.
"""
