"""Training: data generation, autoencoder and DiT training."""
