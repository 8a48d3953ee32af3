"""Recording: the object store under Object Lock, retention, and (later) segments and clips."""
