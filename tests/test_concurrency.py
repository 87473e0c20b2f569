"""Many users at once: several gradio_client users call the gallery's endpoints at the same time,
each with their own settings, and each gets exactly what the same call gives alone, in the order
they asked; many users asking for the very same thing each get the whole result; a waiting or
running text-to-image job reports its place and progress through the queue, and past the queue's
size a user is told to try again."""

import os
import threading
import time
from pathlib import Path

import gradio as gr
import numpy as np
import pytest
from gradio_client import Client
from PIL import Image

from demos.common import launch
from demos.served import served_file
from tests.helpers import free_port, line_art, png, upload

pytestmark = pytest.mark.slow  # several users at once, each waiting on the others

USERS = 3


def calls(user: int, picture) -> list[tuple[str, tuple]]:
    """What user number `user` asks for: every family's endpoints, with settings of their own."""
    seed = 100 + user
    return [
        ("/vae_sample", ("vae-mnist", 4, seed)),
        ("/vae_decode", ("vae-fashion-mnist", 0.3 * user, -0.5)),
        ("/gan_sample", ("dcgan-emoji-faces", 4, seed)),
        ("/gan_interpolate", ("dcgan-fashion-mnist", seed, seed + 1, 4)),
        ("/gan_arithmetic", ("dcgan-fashion-mnist", seed, 1, 2, 3)),
        ("/pix2pix_example", ("pix2pix-emoji-line-to-color", user)),
        ("/pix2pix", ("pix2pix-emoji-line-to-color", picture)),
        ("/cyclegan_example", ("cyclegan-emoji-twemoji-noto", user, "B→A")),
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


def pictures_in(result) -> int:
    if isinstance(result, np.ndarray):
        return 1
    if isinstance(result, list | tuple):
        return sum(pictures_in(item) for item in result)
    if isinstance(result, dict):
        return sum(pictures_in(item) for item in result.values())
    return 0


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
            if status.code.name == "IN_QUEUE" and status.rank is not None:
                codes.add("place")
        time.sleep(0.05)
    assert all(len(job.result()) == 4 for job in jobs)
    assert any("IN_QUEUE" in codes for codes in seen)  # one waited its turn, and was told so
    assert any("place" in codes for codes in seen)
    assert all("progress" in codes for codes in seen)


IDENTICAL_USERS = 12
T2I = "text-to-image-emoji"


def identical_calls(picture: dict, drawing: dict, editor: dict) -> dict[str, tuple]:
    """Every endpoint that returns images or files, with one cheap setting each."""
    return {
        "/vae_manifold": ("vae-mnist", 5, 3.0, 0.0, 0.0),
        "/vae_encode": ("vae-mnist", picture),
        "/vae_encode_drawing": ("vae-mnist", drawing),
        "/vae_decode": ("vae-mnist", 0.0, 0.0),
        "/vae_sample": ("vae-mnist", 4, 0),
        "/vae_interpolate": ("vae-mnist", "Test set", 3, None, None, "Test set", 4, None, None, 4),
        "/vae_map": ("vae-mnist",),
        "/gan_sample": ("dcgan-emoji-faces", 4, 0),
        "/gan_interpolate": ("dcgan-fashion-mnist", 0, 1, 4),
        "/gan_arithmetic": ("dcgan-fashion-mnist", 0, 1, 2, 3),
        "/pix2pix": ("pix2pix-emoji-line-to-color", picture),
        "/pix2pix_drawing": ("pix2pix-emoji-line-to-color", drawing),
        "/pix2pix_example": ("pix2pix-emoji-line-to-color", 0),
        "/cyclegan": ("cyclegan-emoji-twemoji-noto", picture, "A→B"),
        "/cyclegan_example": ("cyclegan-emoji-twemoji-noto", 0, "A→B"),
        "/text_to_image": (T2I, "a cat face", "", 5.0, 2, "DDIM", 0, 2, False, 0.0),
        "/guidance_sweep": (T2I, "a cat face", "", 2, "DDIM", 0, False, 0.0),
        "/guidance_comparison": (T2I, "a cat face", "", 5.0, 2, "DDIM", 0, 0.0),
        "/trajectory": (T2I, "a cat face", "", 5.0, 2, "DDIM", 0, False, 0.0),
        "/inpaint": (T2I, editor, "a sun", "", 5.0, 2, "DDIM", 0, 1.0),
        "/image_to_image": (T2I, editor, "a red heart", 0.7, 5.0, 2, 0),
        "/image_to_image_example": (T2I, 0, "a red heart", 0.7, 5.0, 2, 0),
        "/preview": (T2I, "a cat face"),
        "/clip_rank_example": ("clip-emoji", 0, "a red apple\na cat face"),
        "/clip_rank": ("clip-emoji", picture, "a red apple\na cat face"),
        "/likelihood_example": ("Fashion-MNIST test", 0),
        "/likelihood": (picture,),
        "/likelihood_drawing": (drawing,),
    }


def uploads_of_user(folder) -> tuple[dict, dict, dict]:
    """One user's picture, drawing and painted mask, uploaded from a folder of their own."""
    folder.mkdir(parents=True, exist_ok=True)
    picture = upload(folder, "picture.png", png(line_art()))
    drawing = {"background": None, "layers": [picture], "composite": picture}
    mask = np.zeros((90, 120, 4), np.uint8)
    mask[20:60, 30:80] = (255, 255, 255, 255)
    layer = upload(folder, "mask.png", png(Image.fromarray(mask, "RGBA")))
    editor = {"background": picture, "layers": [layer], "composite": picture}
    return picture, drawing, editor


@pytest.fixture(scope="module")
def identical_users(gallery_url, tmp_path_factory) -> list[tuple[Client, dict]]:
    """Twelve users, each with a client that downloads into a folder of their own (as separate
    browsers would) and their own uploads of the same files."""
    users = []
    for user in range(IDENTICAL_USERS):
        folder = tmp_path_factory.mktemp(f"user{user}")
        client = Client(gallery_url, verbose=False, download_files=folder / "downloads")
        users.append((client, identical_calls(*uploads_of_user(folder / "uploads"))))
    return users


def test_every_endpoint_with_files_is_tried_by_identical_users(identical_users):
    client, calls = identical_users[0]
    api = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    with_files = {
        name
        for name, endpoint in api.items()
        if any("filepath" in out["python_type"]["type"] for out in endpoint["returns"])
    }
    assert with_files == set(calls)


@pytest.mark.parametrize("endpoint", sorted(identical_calls({}, {}, {})))
def test_identical_requests_at_once_each_get_the_whole_result(identical_users, endpoint):
    """Gradio names the files it serves by their bytes and rewrites them in place: identical
    results, served at once, once came back cut short or unreadable."""
    start = threading.Barrier(len(identical_users))
    results, errors = {}, []

    def act(user: int, client: Client, calls: dict) -> None:
        try:
            start.wait(timeout=60)
            results[user] = comparable(client.predict(*calls[endpoint], api_name=endpoint))
        except Exception as error:  # reported below, with the user
            errors.append((user, repr(error)))

    threads = [
        threading.Thread(target=act, args=(user, *identical_users[user]))
        for user in range(len(identical_users))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert not errors
    first = results[0]
    assert pictures_in(first)
    for user in range(1, len(identical_users)):
        assert same(results[user], first), f"user {user} got another {endpoint} than user 0"


def test_a_served_file_has_a_name_of_its_own():
    """The same bytes twice make two files, each whole: no request rewrites another's file."""
    data = png(line_art())
    first, second = served_file(data, ".png"), served_file(data, ".png")
    assert first != second
    assert Path(first).read_bytes() == Path(second).read_bytes() == data


def test_past_the_queue_size_users_are_told_to_try_again():
    with gr.Blocks() as demo:
        gr.Button().click(lambda: time.sleep(1.5) or "done", None, gr.Textbox(), api_name="wait")
    launch(demo, port=free_port(), queue_size=2, prevent_thread_lock=True, quiet=True)
    try:
        assert demo.delete_cache  # served files are deleted once old
        client = Client(demo.local_url, verbose=False)
        jobs = [client.submit(api_name="/wait") for _ in range(8)]
        outcomes = []
        for job in jobs:
            try:
                outcomes.append(job.result(timeout=60))
            except Exception as error:
                outcomes.append(str(error))
    finally:
        demo.close()
    assert "done" in outcomes
    refused = [outcome for outcome in outcomes if outcome != "done"]
    assert refused and all(
        "Queue is full" in outcome and "try again" in outcome for outcome in refused
    )
