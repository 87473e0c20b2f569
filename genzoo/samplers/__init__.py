"""Samplers, apart from the models they draw from (`genzoo.models`) and from the buttons that
use them (`genzoo.pipelines`), as diffusers keeps its schedulers: `autoregressive` draws images
pixel by pixel from a model of each pixel given the ones before it (the PixelCNN)."""
