"""Training: the loop (Trainer), its state, checkpoints, sampler, distributed set-up, logs."""
