"""CareAtlas common library: settings, logging, lake storage, Celery app and file schemas.

No business logic lives here: each service owns its own behaviour.
"""
