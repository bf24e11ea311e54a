"""The game's rules, shared by the voxel world and the dream: block kinds (`blocks`) and
Minecraft-like movement (`physics`), which the voxel world simulates and the dream's pose
tracker follows."""
