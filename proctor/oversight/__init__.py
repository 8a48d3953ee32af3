"""三级 oversight: what province, city and district users see of their region, and what is
due (notifications).

Pure decisions (the region subtree of a code, the deadline cut-offs, the summary rows, the
notices) are small modules with unit tests; :mod:`.summary_service`, :mod:`.batch_page` and
:mod:`.notice_service` do the database work in SQL aggregates; :mod:`.coverage_totals`
keeps a small per-batch coverage aggregate; :mod:`.dispatch` hands newly due items to a
:class:`~proctor.oversight.notifier.Notifier` once each. The router is
:mod:`proctor.api.oversight`.
"""
