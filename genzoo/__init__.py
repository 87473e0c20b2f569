"""genzoo: generative models trained from scratch, published in Hub format, shown in a gallery."""
