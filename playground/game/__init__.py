"""The pygame client. The only package that imports pygame at module level."""
import os

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
