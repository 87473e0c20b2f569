"""Diffusion's parts, apart from the models (`genzoo.models.latent_diffusion`) and from the
buttons that use them (`genzoo.pipelines.text_to_image`): the samplers, the UNet wrappers that
steer a prediction (CLIP guidance, guidance intervals, neighbour guidance), how the gallery serves
one request, and the caption caching and folder I/O of training and bundling.
"""
