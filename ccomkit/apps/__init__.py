"""Voila apps for managers: one builder per app, on the shared frame of :mod:`ccomkit.apps.common`."""
