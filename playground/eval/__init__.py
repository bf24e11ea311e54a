"""Evaluation: error accumulation, action following, memory retrieval, throughput."""
