"""The directory above sites: regions (GB/T 2260), certification organisations (认定机构)
and the region grants that give users every site below a region.

Pure code rules in :mod:`.codes`; database work (audited) in :mod:`.regions`,
:mod:`.organisations` and :mod:`.grants`. The tables are in :mod:`proctor.db.organisations`;
what a region grant lets a user see is decided by :mod:`proctor.auth.scope`.
"""
