"""Optional Triton import: kernel files define their @triton.jit functions only when
Triton is importable, so their PyTorch references work everywhere."""
try:
    import triton
    import triton.language as tl
    HAVE_TRITON = True
except ImportError:  # e.g. macOS, or a CPU-only install without triton
    triton = tl = None
    HAVE_TRITON = False


def require_triton() -> None:
    if not HAVE_TRITON:
        raise RuntimeError("Triton is not installed; use the PyTorch path (PLAYGROUND_KERNELS=torch)")
