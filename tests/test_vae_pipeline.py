"""The functions behind the VAE buttons, on a freshly trained tiny model and on a 3-D latent."""

import numpy as np
import pytest
import torch
from PIL import Image

from genzoo.hub import save_examples
from genzoo.images import InvalidInputError
from genzoo.models.vae import VAE
from genzoo.pipelines import vae


def test_every_action_on_a_trained_folder(tiny_vae):
    model = str(tiny_vae)
    assert vae.manifold(model, 5, 2.0).size == (140, 140)
    assert vae.decode(model, 0.5, -0.5).size == (112, 112)
    encoding = vae.encode(model, vae.example_image(model, 0))
    assert len(encoding.latent) == 2 and encoding.reconstruction.size == (112, 112)
    strip = vae.interpolate(model, vae.example_image(model, 0), vae.example_image(model, 1), 4)
    assert strip.height < strip.width
    assert vae.latent_map(model).image.size == (vae.MAP_SIZE + vae.LEGEND_WIDTH, vae.MAP_SIZE)


def test_map_pixels_and_plane_points_agree(tiny_vae):
    latent_map = vae.latent_map(str(tiny_vae))
    assert latent_map.point_at(0, 0) == (-latent_map.extent, latent_map.extent)
    centre = latent_map.point_at(vae.MAP_SIZE / 2, vae.MAP_SIZE / 2)
    assert centre == pytest.approx((0.0, 0.0))
    assert vae.map_point(str(tiny_vae), 0, 0) == latent_map.point_at(0, 0)


def test_manifold_top_left_is_high_y_low_x(tiny_vae):
    """Row 0 of the grid decodes y = +span, column 0 decodes x = -span, as on a plot."""
    model = str(tiny_vae)
    grid = np.asarray(vae.manifold(model, 2, 1.0))
    corner = np.asarray(vae.decode(model, -1.0, 1.0).resize((28, 28), Image.NEAREST))
    assert np.abs(grid[:28, :28].astype(int) - corner.astype(int)).max() <= 1


def test_samples_are_seeded(tiny_vae):
    model = str(tiny_vae)
    same = [np.asarray(vae.sample(model, 4, seed=3)) for _ in range(2)]
    assert np.array_equal(*same)
    assert not np.array_equal(same[0], np.asarray(vae.sample(model, 4, seed=4)))


def test_higher_dimensional_latents_use_the_principal_plane(tmp_path):
    torch.manual_seed(0)
    model = VAE(latent_dim=3, hidden_channels=[8, 16], hidden_features=32, class_names=["a", "b"])
    model.save_pretrained(tmp_path)
    images = (torch.rand(40, 1, 28, 28) * 255).to(torch.uint8)
    save_examples(tmp_path, {"images": images, "labels": torch.arange(40) % 2})
    ref = str(tmp_path)
    found = vae.examples(ref)
    assert found.axes.shape == (2, 3)
    assert torch.allclose(found.axes @ found.axes.T, torch.eye(2), atol=1e-5)  # orthonormal
    point = torch.tensor([[0.3, -0.2]])
    assert torch.allclose(found.to_plane(found.to_latent(point)), point, atol=1e-5)
    assert vae.manifold(ref, 3, 1.0).size == (84, 84)
    assert len(vae.encode(ref, vae.example_image(ref, 0)).latent) == 3


def test_bad_input_to_the_pipeline(tiny_vae):
    model = str(tiny_vae)
    with pytest.raises(InvalidInputError, match="blank"):
        vae.encode(model, Image.new("L", (40, 40), 0))
    with pytest.raises(InvalidInputError, match="second image"):
        vae.interpolate(model, vae.example_image(model, 0), b"garbage", 4)
    with pytest.raises(InvalidInputError, match="Test-set index"):
        vae.example_image(model, 10_000)
    with pytest.raises(InvalidInputError, match="Steps"):
        vae.interpolate(model, vae.example_image(model, 0), vae.example_image(model, 1), 500)
