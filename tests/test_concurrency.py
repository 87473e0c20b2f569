"""Many users at once: several gradio_client users call the gallery's endpoints at the same time,
each with their own settings, and each gets exactly what the same call gives alone, in the order
they asked; a waiting or running text-to-image job reports its progress through the queue."""

import os
import threading
import time

import numpy as np
import pytest
from gradio_client import Client
from PIL import Image

from tests.test_gradio import png, upload

USERS = 3


def calls(user: int, picture) -> list[tuple[str, tuple]]:
    """What user number `user` asks for: every family's endpoints, with settings of their own."""
    seed = 100 + user
    return [
        ("/vae_sample", ("vae-mnist", 4, seed)),
        ("/vae_decode", ("vae-fashion-mnist", 0.3 * user, -0.5)),
        ("/gan_sample", ("dcgan-emoji", 4, seed)),
        ("/gan_interpolate", ("dcgan-fashion-mnist", seed, seed + 1, 4)),
        ("/gan_arithmetic", ("dcgan-fashion-mnist", seed, 1, 2, 3)),
        ("/pix2pix_example", ("pix2pix-emoji-line-to-color", user)),
        ("/pix2pix", ("pix2pix-emoji-line-to-color", picture)),
        ("/cyclegan_example", ("cyclegan-emoji-flat-high-contrast", user, "B→A")),
        ("/text_to_image", ("text-to-image-emoji", "a cat face", "", 5.0, 4, "DDIM", seed, 1)),
        ("/trajectory", ("text-to-image-emoji", "a red apple", "", 5.0, 3, "Euler", seed)),
        ("/clip_rank", ("clip-emoji", picture, f"a red apple\na blue car\ncaption {user}")),
    ]


def comparable(result):
    """A result with every returned file read back (images as pixels), so that two calls can be
    compared whatever temporary names the server gave their files."""
    if isinstance(result, str) and os.path.isfile(result):
        with Image.open(result) as image:
            return np.asarray(image.convert("RGB"))
    if isinstance(result, list | tuple):
        return [comparable(item) for item in result]
    if isinstance(result, dict):
        return {
            k: comparable(v) for k, v in result.items() if k not in ("path", "url", "orig_name")
        }
    return result


def same(a, b) -> bool:
    """Equal, but for images computed in other worker threads, which may round a pixel or so
    differently (another user's picture, or a scheduler's state shared, is tens of levels off)."""
    if isinstance(a, np.ndarray):
        return (
            isinstance(b, np.ndarray)
            and a.shape == b.shape
            and np.abs(a.astype(float) - b.astype(float)).mean() < 4
        )
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b


@pytest.fixture(scope="module")
def picture(tmp_path_factory):
    image = Image.new("RGB", (80, 60), "white")
    image.paste((200, 40, 40), (20, 10, 60, 50))
    return png(image)


def test_users_at_once_get_what_they_get_alone_in_order(gallery_url, picture, tmp_path):
    alone = Client(gallery_url, verbose=False)
    expected = {
        user: [
            comparable(alone.predict(*args, api_name=name))
            for name, args in calls(user, upload(tmp_path, f"alone{user}.png", picture))
        ]
        for user in range(USERS)
    }
    results, errors = {}, []

    def act(user: int) -> None:
        try:
            # each user downloads into a folder of their own, as separate machines would
            client = Client(gallery_url, verbose=False, download_files=tmp_path / f"files{user}")
            mine = calls(user, upload(tmp_path, f"user{user}.png", picture))
            jobs = [client.submit(*args, api_name=name) for name, args in mine]
            results[user] = [comparable(job.result(timeout=600)) for job in jobs]
        except Exception as error:  # reported below, with the user
            errors.append((user, repr(error)))

    threads = [threading.Thread(target=act, args=(user,)) for user in range(USERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=900)
    assert not errors
    for user in range(USERS):
        for (name, _), got, want in zip(
            calls(user, None), results[user], expected[user], strict=True
        ):
            assert same(got, want), f"user {user}'s {name} differs from the same call alone"
    # and the users' results are their own: different seeds gave different samples
    assert not same(results[0][2], results[1][2])


def test_a_queued_job_reports_its_progress(gallery_url):
    client = Client(gallery_url, verbose=False)
    args = ("text-to-image-emoji", "a sun", "", 5.0, 30, "DDIM", 1, 4)
    jobs = [client.submit(*args, api_name="/text_to_image") for _ in range(3)]  # 2 run at once
    seen = [set() for _ in jobs]
    while not all(job.done() for job in jobs):
        for job, codes in zip(jobs, seen, strict=True):
            status = job.status()
            codes.add(status.code.name)
            if status.progress_data:
                codes.add("progress")
        time.sleep(0.05)
    assert all(len(job.result()) == 4 for job in jobs)
    assert any("IN_QUEUE" in codes for codes in seen)  # one waited its turn, and was told so
    assert all("progress" in codes for codes in seen)
