"""Triton kernels, one operation per file, each with the PyTorch reference that is its
specification. Importing this package never requires CUDA (or Triton)."""
