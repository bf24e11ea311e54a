"""Runnable examples: `python -m playground.examples.random_agent`,
`python -m playground.examples.dream_to_voxel`."""
