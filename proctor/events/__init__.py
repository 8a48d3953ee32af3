"""Events: what live analysis flagged, kept and shown.

Vision emits typed transitions (:mod:`proctor.vision.transitions`); this wing owns what
follows: event rows and their snapshots (:mod:`~proctor.events.log`), the sink that applies
transitions and publishes them live (:mod:`~proctor.events.sink`), the alert fan-out
(:mod:`~proctor.events.hub`) and its messages (:mod:`~proctor.events.messages`), the API
view (:mod:`~proctor.events.views`) and the queries behind the events API
(:mod:`~proctor.events.service`).
"""
