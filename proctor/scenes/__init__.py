"""Camera scenes kept: each camera's scene settings and tamper reference picture as rows
(``camera_scenes``), the audited changes users make to them, and the
:class:`~proctor.vision.scene_store.SceneStore` live analysis reads them through. Vision
computes with scenes; this wing persists them (as the events wing does for events)."""
