"""The layer classes of `ember.nn`, one file per family (as torch.nn.modules)."""
