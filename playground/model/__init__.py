"""The dream's networks: pure functions of tensors (no sampling, devices or I/O)."""
