"""Several server nodes on NATS JetStream: camera ownership leases, and alerts across nodes.

Off unless ``PROCTOR_NATS_URL`` is set: one node then behaves exactly as without this wing.
"""
