"""playground: an interactive world-model game client.

Importing the package registers the gymnasium environments
`playground/VoxelWorld-v0` (and, once the dream is available, `playground/WorldModel-v0`).
"""
__version__ = "0.1.0"

from playground import envs as _envs  # noqa: E402,F401  (registers the gymnasium ids)
